/**
 * 2. Memory: RSS of the idle extension (registered, listening, app loaded, nothing fetched) and after
 * 1,000 distinct values (500 parameters + 500 secrets, the maximum cache size) went through it, which
 * also loads both SDK clients; next to a bare `node` that waits and a bare node:http server. Every
 * figure is taken after the process sat idle for SETTLE_MS. Next to RSS, the private memory and PSS
 * of the same processes (smaps_rollup): RSS counts the `node` binary's clean pages, which a sandbox's
 * runtime process shares; what a sandbox is charged is measured under the RIE (sections/charged.ts).
 */
import { Agent, request } from 'node:http';
import { startFakeExtensionsApi } from '../../test/helpers/fake-extensions-api.js';
import { type ProcessMemory, processMemory } from '../lib/charged-memory.js';
import {
  parameterPath,
  secretPath,
  startExtension,
  TOKEN,
  TOKEN_HEADER,
  waitReady,
} from '../lib/extension.js';
import { waitAccepting } from '../lib/http-probe.js';
import { FIXTURE_COUNT, parameterName, secretId, withFixtures } from '../lib/moto.js';
import { BARE_HTTP, freePort, NODE, sleep, start } from '../lib/processes.js';
import { fixed, median, times } from '../lib/stats.js';
import { atMost, type Table } from '../lib/table.js';

const SETTLE_MS = 1_000;

/** GETs every path through one keep-alive agent, `width` at a time; fails on any non-200. */
export async function getAll(port: number, paths: readonly string[], width: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: width });
  const getOne = (path: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, agent, headers: { [TOKEN_HEADER]: TOKEN }, timeout: 30_000 },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`${path}: ${res.statusCode} ${body}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${path}: timeout`)));
      req.on('error', reject);
      req.end();
    });
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) await getOne(paths[next++] as string);
    };
    await Promise.all(Array.from({ length: width }, worker));
  } finally {
    agent.destroy();
  }
}

async function waitingNode(): Promise<ProcessMemory> {
  const child = start(NODE, ['-e', 'setInterval(() => {}, 1 << 30)']);
  try {
    await sleep(SETTLE_MS);
    return processMemory(child.pid);
  } finally {
    await child.stop();
  }
}

async function bareHttp(): Promise<ProcessMemory> {
  const port = await freePort();
  const child = start(NODE, [BARE_HTTP, String(port)]);
  try {
    (await waitAccepting(port, 10_000)).destroy();
    await sleep(SETTLE_MS);
    return processMemory(child.pid);
  } finally {
    await child.stop();
  }
}

async function extension(api: string): Promise<{ idle: ProcessMemory; loaded: ProcessMemory }> {
  const port = await freePort();
  const child = startExtension({ port, runtimeApi: api });
  try {
    await waitReady(port);
    await sleep(SETTLE_MS);
    const idle = processMemory(child.pid);
    const paths: string[] = [];
    for (let i = 0; i < FIXTURE_COUNT; i++)
      paths.push(parameterPath(parameterName(i)), secretPath(secretId(i)));
    await getAll(port, paths, 4);
    await sleep(SETTLE_MS);
    return { idle, loaded: processMemory(child.pid) };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  } finally {
    await child.stop();
  }
}

export async function memorySection(table: Table, reps: number): Promise<void> {
  const api = await startFakeExtensionsApi();
  const node: ProcessMemory[] = [];
  const bare: ProcessMemory[] = [];
  const idle: ProcessMemory[] = [];
  const loaded: ProcessMemory[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      node.push(await waitingNode());
      bare.push(await bareHttp());
      const ext = await withFixtures(() => extension(api.address));
      idle.push(ext.idle);
      loaded.push(ext.loaded);
    }
  } finally {
    await api.close();
  }
  const m = (list: ProcessMemory[], key: keyof ProcessMemory): number => median(list.map((x) => x[key]));
  const base = m(node, 'rss');
  const n = `median of ${reps}`;
  table.add({
    section: '2 memory',
    what: `RSS idle (registered, listening, nothing fetched), MiB (${n})`,
    value: fixed(m(idle, 'rss')),
    baseline: `waiting node: ${fixed(base)}; bare node:http: ${fixed(m(bare, 'rss'))}`,
    ratio: times(m(idle, 'rss'), base),
    target: atMost(m(idle, 'rss') / base, 1.25),
  });
  const values = `${FIXTURE_COUNT * 2} distinct values cached (${FIXTURE_COUNT} parameters + ${FIXTURE_COUNT} secrets), both SDK clients loaded`;
  table.add({
    section: '2 memory',
    what: `RSS after ${values}, MiB`,
    value: fixed(m(loaded, 'rss')),
    baseline: `waiting node: ${fixed(base)}`,
    ratio: times(m(loaded, 'rss'), base),
    target: atMost(m(loaded, 'rss') / base, 2),
  });
  const privateAndPss = (list: ProcessMemory[]): string =>
    `${fixed(m(list, 'private'))} / ${fixed(m(list, 'pss'))}`;
  for (const [what, list] of [
    ['idle', idle],
    [`after ${values}`, loaded],
  ] as const) {
    table.add({
      section: '2 memory',
      what: `private / PSS (smaps_rollup) ${what}, MiB`,
      value: privateAndPss(list),
      baseline: `waiting node: ${privateAndPss(node)}; bare node:http: ${privateAndPss(bare)}`,
      ratio: `+${fixed(m(list, 'private') - m(node, 'private'))} MiB private`,
      target: '—',
    });
  }
}
