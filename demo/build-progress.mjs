// Turns BuildKit's plain progress (stdin) into a few lines for a person: each step that really ran
// (not CACHED) when it finishes, with its time, and a "still running" line when a step has been
// quiet for 20 s, so a first build on a fresh machine is never silent for long. Warm builds, where
// every step is cached, print nothing. Exits non-zero if the build reported an ERROR.
import { createInterface } from 'node:readline';

const HEARTBEAT_MS = 20_000;
const started = Date.now();
const names = new Map();
const cached = new Set();
let current = '';
let lastPrinted = Date.now();
let failed = false;

const say = (text) => {
  process.stdout.write(`  ${text}\n`);
  lastPrinted = Date.now();
};
const seconds = (ms) => `${Math.round(ms / 1000)} s`;

const heartbeat = setInterval(() => {
  if (Date.now() - lastPrinted >= HEARTBEAT_MS && current !== '') {
    say(`… still running (${seconds(Date.now() - started)} so far): ${current}`);
  }
}, 1000);

for await (const line of createInterface({ input: process.stdin })) {
  const step = /^#(\d+) (\[.*)$/.exec(line);
  if (step) {
    names.set(step[1], step[2].slice(0, 100));
    continue;
  }
  const event = /^#(\d+) (CACHED|DONE ([0-9.]+)s|ERROR.*)$/.exec(line);
  if (event) {
    const [, id, what, secs] = event;
    if (what === 'CACHED') cached.add(id);
    else if (what.startsWith('ERROR')) {
      failed = true;
      say(`${names.get(id) ?? `#${id}`}: ${what}`);
    } else if (!cached.has(id) && names.has(id) && Number(secs) >= 1) {
      say(`${names.get(id)}  (${secs} s)`);
    }
    continue;
  }
  const output = /^#(\d+) [0-9.]+ /.exec(line);
  if (output && names.has(output[1])) current = names.get(output[1]);
  if (/^ERROR:|^error:/.test(line)) {
    failed = true;
    say(line);
  }
}
clearInterval(heartbeat);
process.exit(failed ? 1 : 0);
