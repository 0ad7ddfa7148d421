/**
 * `make bench`: measures the extension next to baselines taken in the same run and prints one table
 * (also written to dist/bench/results.md). A benchmark, not a test: it never passes or fails on the
 * figures; it exits non-zero only when a measurement could not be taken.
 *
 *   BENCH_SECTIONS=startup,memory,charged,hits,misses,coldstart,images,client,concurrent,batch,in-process   (default: all, in this order)
 *   BENCH_REPS=<n>   scales the repetitions (default 1.0; 0.3 for a quick harness check)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { motoEndpoint, startMoto } from './lib/moto.js';
import { REPO_ROOT } from './lib/processes.js';
import { Table } from './lib/table.js';
import { batchSection } from './sections/batch.js';
import { chargedSection } from './sections/charged.js';
import { clientSection } from './sections/client.js';
import { coldStartSection } from './sections/coldstart.js';
import { concurrentSection } from './sections/concurrent.js';
import { hitsSection } from './sections/hits.js';
import { imagesSection } from './sections/images.js';
import { inProcessSection } from './sections/in-process.js';
import { memorySection } from './sections/memory.js';
import { missesSection } from './sections/misses.js';
import { startupSection } from './sections/startup.js';

const scale = Number(process.env.BENCH_REPS ?? '1');
const reps = (n: number): number =>
  Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));

const SECTIONS: Record<string, (table: Table) => Promise<void>> = {
  startup: (table) => startupSection(table, reps(31)),
  memory: (table) => memorySection(table, reps(5)),
  charged: (table) => chargedSection(table, reps(5)),
  hits: (table) => hitsSection(table, { reps: reps(5), seconds: 4 }),
  misses: (table) => missesSection(table, reps(3)),
  coldstart: (table) => coldStartSection(table, reps(9)),
  images: (table) => imagesSection(table),
  client: (table) => clientSection(table, reps(9)),
  concurrent: (table) => concurrentSection(table, { reps: reps(3), seconds: 4 }),
  batch: (table) => batchSection(table, reps(5)),
  'in-process': (table) => inProcessSection(table, reps(7)),
};

function machine(): string {
  const model = cpus()[0]?.model ?? 'unknown CPU';
  const os = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? 'Linux';
  return `${os}, kernel ${release()}, ${cpus().length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`;
}

async function main(): Promise<void> {
  const wanted = (process.env.BENCH_SECTIONS ?? Object.keys(SECTIONS).join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of wanted) if (!(name in SECTIONS)) throw new Error(`unknown section ${name}`);
  const table = new Table();
  const started = new Date();
  const loadBefore = loadavg()[0] ?? 0;
  process.stdout.write(
    `bench: ${machine()}\nbench: ${started.toISOString()}, load average ${loadBefore.toFixed(2)}\n`,
  );
  let failed = false;
  const stopMoto = await startMoto();
  process.stdout.write(`bench: moto at ${motoEndpoint()}\n`);
  for (const name of wanted) {
    const t0 = performance.now();
    process.stdout.write(`bench: ${name} …\n`);
    try {
      await SECTIONS[name]?.(table);
    } catch (error) {
      failed = true;
      table.note(`section ${name} could not be measured: ${(error as Error).message.split('\n')[0]}`);
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    }
    process.stdout.write(`bench: ${name} took ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  await stopMoto();
  const seconds = (Date.now() - started.getTime()) / 1000;
  const header = [
    `Machine: ${machine()}.`,
    `Run: ${started.toISOString()}, ${seconds.toFixed(0)} s, 1-min load average ${loadBefore.toFixed(2)} at start and ${(loadavg()[0] ?? 0).toFixed(2)} at end.`,
    '',
  ].join('\n');
  const markdown = `${header}\n${table.markdown()}`;
  const out = join(REPO_ROOT, 'dist/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.md'), markdown);
  process.stdout.write(`\n${markdown}\n(written to dist/bench/results.md)\n`);
  if (failed) process.exitCode = 1;
}

await main();
