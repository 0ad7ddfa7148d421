// Turns BuildKit's plain progress (stdin) into a few lines for a person: each step that really ran
// (not CACHED) when it finishes, with its time, and a "still running" line naming the step that
// runs when nothing was printed for 20 s (BUILD_PROGRESS_SECONDS), so a first build on a fresh
// machine is never silent for long. Warm builds, where every step is cached, print nothing. Exits
// non-zero if the build reported an ERROR.
import { createInterface } from 'node:readline';

const HEARTBEAT_MS = Number(process.env.BUILD_PROGRESS_SECONDS ?? 20) * 1000;
const started = Date.now();
const names = new Map();
const cached = new Set();
// Steps that started and have not finished, most recently active last.
const running = new Map();
let lastPrinted = Date.now();
let failed = false;

const say = (text) => {
  process.stdout.write(`  ${text}\n`);
  lastPrinted = Date.now();
};
const seconds = (ms) => `${Math.round(ms / 1000)} s`;
const touch = (id) => {
  running.delete(id);
  running.set(id, names.get(id));
};

const heartbeat = setInterval(() => {
  if (Date.now() - lastPrinted < HEARTBEAT_MS) return;
  const active = [...running.values()];
  const what = active.length === 0 ? 'exporting and pushing' : active[active.length - 1];
  const others = active.length > 1 ? ` (+${active.length - 1} more)` : '';
  say(`… still running (${seconds(Date.now() - started)} so far): ${what}${others}`);
}, 1000);

for await (const line of createInterface({ input: process.stdin })) {
  const event = /^#(\d+) (CACHED|DONE ([0-9.]+)s|ERROR.*)$/.exec(line);
  if (event) {
    const [, id, what, secs] = event;
    running.delete(id);
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
  if (output) {
    if (names.has(output[1]) && !cached.has(output[1])) touch(output[1]);
    continue;
  }
  // A step's first line names it: "[stage 2/5] RUN …", "exporting to image", "resolve image config …".
  const step = /^#(\d+) (\S.*)$/.exec(line);
  if (step) {
    if (!names.has(step[1])) names.set(step[1], step[2].slice(0, 100));
    if (!cached.has(step[1])) touch(step[1]);
    continue;
  }
  if (/^ERROR:|^error:/.test(line)) {
    failed = true;
    say(line);
  }
}
clearInterval(heartbeat);
process.exit(failed ? 1 : 0);
