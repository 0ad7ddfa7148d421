/** Child process: runs one scenario (JSON in argv[2]) and prints its read figures as one JSON line. */
import { runBurst, type Scenario } from './burst.js';

const scenario = JSON.parse(process.argv[2] ?? '') as Scenario;
const figures = await runBurst(scenario);
process.stdout.write(`${JSON.stringify(figures)}\n`);
