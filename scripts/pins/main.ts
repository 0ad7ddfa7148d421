// The pins' command line, bundled to dist/pins/main.mjs by mk/pins.mk (commands: cli.ts).
import { runPins } from './cli.js';

runPins(process.argv.slice(2), process.env).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(`pins: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
