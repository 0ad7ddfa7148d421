/**
 * `make scale`: every strategy against every quota profile, one run at a time (each run gets the cores
 * to itself: a stand-in process and a process hosting all sandboxes), then the table on stdout, the
 * table in docs/scale.md and the figures for the plot. Exits non-zero if a run broke an invariant.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { type Scenario, sdkEnvironment } from './burst.js';
import { violations } from './checks.js';
import { backendFigures, type ReadFigures, readFigures } from './figures.js';
import { type Run, table } from './report.js';
import { strategyNamed } from './sandbox/strategies.js';
import { contentsFor, workload } from './sandbox/workload.js';
import { readSettings, type Settings } from './settings.js';
import { type QuotaProfile, scaled } from './standin/quotas.js';
import { STATS_PATH, type StandInOptions, type StandInStats } from './standin/server.js';

const HERE = new URL('.', import.meta.url).pathname;
const DOC = process.env.SCALE_DOC ?? 'docs/scale.md';
const RESULTS = process.env.SCALE_RESULTS ?? 'dist/scale/results.json';
/** Which table of the doc this run regenerates (between `<!-- NAME:start -->` and `<!-- NAME:end -->`). */
const TABLE = process.env.SCALE_TABLE ?? 'scale-table';
const TABLE_START = `<!-- ${TABLE}:start -->`;
const TABLE_END = `<!-- ${TABLE}:end -->`;

/** Starts a child and resolves with its first stdout line parsed as JSON (bounded by timeoutMs). */
function firstLine<T>(child: ChildProcess, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${what}: unreadable answer ${line.slice(0, 200)}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what}: exited with ${code} before answering`));
    });
  });
}

function fetchStats(endpoint: string): Promise<StandInStats> {
  return new Promise((resolve, reject) => {
    get(`${endpoint}${STATS_PATH}`, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body) as StandInStats));
    }).on('error', reject);
  });
}

async function runOne(settings: Settings, strategyName: string, profile: QuotaProfile): Promise<Run> {
  const strategy = strategyNamed(strategyName);
  const work = workload(settings.parameters, settings.secrets);
  const sandboxes = Math.max(1, Math.round(settings.sandboxes / settings.factor));
  const options: StandInOptions = {
    quotas: scaled(profile, settings.factor),
    contents: contentsFor(work),
    latencyMs: settings.latencyMs,
    latencyJitterMs: settings.latencyJitterMs,
  };
  const standIn = spawn(process.execPath, [`${HERE}standin-main.mjs`, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const { endpoint } = await firstLine<{ endpoint: string }>(standIn, 30_000, 'stand-in');
    const scenario: Scenario = {
      strategy: strategy.name,
      sandboxes,
      windowMs: settings.windowMs,
      parameters: settings.parameters,
      secrets: settings.secrets,
      timing: {
        ttlMs: settings.ttlMs,
        runtimeInitMs: settings.runtimeInitMs,
        invokeIntervalMs: settings.invokeIntervalMs,
        endAtMs: settings.windowMs + settings.ttlMs + settings.tailMs,
      },
      seed: 15,
    };
    const host = spawn(process.execPath, [`${HERE}host-main.mjs`, JSON.stringify(scenario)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...sdkEnvironment(endpoint, strategy.retryMode) },
    });
    // A run ends seconds after its last invoke; a minute more means something hangs (the host is killed).
    const reads = await firstLine<ReadFigures>(
      host,
      scenario.timing.endAtMs + 60_000,
      `${strategy.name} host`,
    ).finally(() => host.kill('SIGKILL'));
    const stats = await fetchStats(endpoint);
    const expected = sandboxes * (settings.parameters + settings.secrets);
    return {
      strategy: strategy.name,
      label: strategy.label,
      quotas: profile.name,
      factor: settings.factor,
      reads,
      backend: backendFigures(stats),
      violations: violations(reads, stats, expected),
    };
  } finally {
    standIn.kill('SIGTERM');
  }
}

function writeDocTable(markdown: string): void {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${DOC} has no ${TABLE_START} ... ${TABLE_END} section`);
  writeFileSync(DOC, `${doc.slice(0, start + TABLE_START.length)}\n${markdown}\n${doc.slice(end)}`);
}

/** A run that could not finish: listed with zero figures and its error, which fails `make scale`. */
function failedRun(strategy: string, quotas: string, factor: number, error: unknown): Run {
  return {
    strategy,
    label: strategyNamed(strategy).label,
    quotas,
    factor,
    reads: readFigures([]),
    backend: { calls: 0, throttled: 0, byApi: {} },
    violations: [`the run failed: ${(error as Error).message}`],
  };
}

/**
 * Runs every (quotas, strategy) pair, `parallel` at a time, keeping the table's order (by quotas). They
 * are started strategy by strategy, so a CPU-heavy throttled run shares the machine with a light
 * higher-throughput one rather than with another heavy one.
 */
async function runAll(settings: Settings): Promise<Run[]> {
  const pairs = settings.quotas.flatMap((quotas) =>
    settings.strategies.map((strategy) => ({ quotas, strategy })),
  );
  const order = settings.strategies.flatMap((strategy) =>
    pairs.flatMap((pair, i) => (pair.strategy === strategy ? [i] : [])),
  );
  const runs: Run[] = new Array(pairs.length);
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let k = next++; k < order.length; k = next++) {
      const i = order[k] ?? 0;
      const pair = pairs[i];
      if (pair === undefined) continue;
      const run = await runOne(settings, pair.strategy, pair.quotas).catch(
        (error: unknown): Run => failedRun(pair.strategy, pair.quotas.name, settings.factor, error),
      );
      runs[i] = run;
      process.stderr.write(
        `scale: ${run.quotas} ${run.strategy}: ${run.backend.calls} calls, ${run.backend.throttled} throttled, ` +
          `${run.reads.initFailed + run.reads.invokeFailed} failed reads` +
          ` (measured at 1/${settings.factor}; ${Math.round((performance.now() - started) / 1000)} s)\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: settings.parallel }, worker));
  return runs;
}

const settings = readSettings(process.env);
const runs = await runAll(settings);
const markdown = table(runs);
process.stdout.write(
  `\n${settings.sandboxes} sandboxes over ${settings.windowMs / 1000} s (run as ${Math.round(settings.sandboxes / settings.factor)} ` +
    `against quotas / ${settings.factor}), ${settings.parameters} parameters + ${settings.secrets} secrets each, ` +
    `TTL ${settings.ttlMs / 1000} s\n\n${markdown}\n`,
);
writeFileSync(
  RESULTS,
  `${JSON.stringify({ settings: { ...settings, quotas: settings.quotas }, runs }, null, 2)}\n`,
);
if (process.env.SCALE_WRITE_DOC !== '0') writeDocTable(markdown);
const broken = runs.filter((run) => run.violations.length > 0);
for (const run of broken)
  process.stderr.write(`scale: ${run.quotas} ${run.strategy}: ${run.violations.join('; ')}\n`);
process.exitCode = broken.length > 0 ? 1 : 0;
