/**
 * 2. Memory: RSS of the idle extension (registered, listening, app loaded, nothing fetched) and after
 * 1,000 distinct values (500 parameters + 500 secrets, the maximum cache size) went through it, which
 * also loads both SDK clients; next to a bare `node` that waits and a bare node:http server. Every
 * figure is taken after the process sat idle for SETTLE_MS.
 */
import { Agent, request } from 'node:http';
import { startFakeExtensionsApi } from '../../test/helpers/fake-extensions-api.js';
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
import { BARE_HTTP, freePort, NODE, rssMiB, sleep, start } from '../lib/processes.js';
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

async function waitingNode(): Promise<number> {
  const child = start(NODE, ['-e', 'setInterval(() => {}, 1 << 30)']);
  try {
    await sleep(SETTLE_MS);
    return rssMiB(child.pid);
  } finally {
    await child.stop();
  }
}

async function bareHttp(): Promise<number> {
  const port = await freePort();
  const child = start(NODE, [BARE_HTTP, String(port)]);
  try {
    (await waitAccepting(port, 10_000)).destroy();
    await sleep(SETTLE_MS);
    return rssMiB(child.pid);
  } finally {
    await child.stop();
  }
}

async function extension(api: string): Promise<{ idle: number; loaded: number }> {
  const port = await freePort();
  const child = startExtension({ port, runtimeApi: api });
  try {
    await waitReady(port);
    await sleep(SETTLE_MS);
    const idle = rssMiB(child.pid);
    const paths: string[] = [];
    for (let i = 0; i < FIXTURE_COUNT; i++)
      paths.push(parameterPath(parameterName(i)), secretPath(secretId(i)));
    await getAll(port, paths, 4);
    await sleep(SETTLE_MS);
    return { idle, loaded: rssMiB(child.pid) };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  } finally {
    await child.stop();
  }
}

export async function memorySection(table: Table, reps: number): Promise<void> {
  const api = await startFakeExtensionsApi();
  const node: number[] = [];
  const bare: number[] = [];
  const idle: number[] = [];
  const loaded: number[] = [];
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
  const base = median(node);
  const n = `median of ${reps}`;
  table.add({
    section: '2 memory',
    what: `RSS idle (registered, listening, nothing fetched), MiB (${n})`,
    value: fixed(median(idle)),
    baseline: `waiting node: ${fixed(base)}; bare node:http: ${fixed(median(bare))}`,
    ratio: times(median(idle), base),
    target: atMost(median(idle) / base, 1.25),
  });
  table.add({
    section: '2 memory',
    what: `RSS after ${FIXTURE_COUNT * 2} distinct values cached (${FIXTURE_COUNT} parameters + ${FIXTURE_COUNT} secrets), both SDK clients loaded, MiB`,
    value: fixed(median(loaded)),
    baseline: `waiting node: ${fixed(base)}`,
    ratio: times(median(loaded), base),
    target: atMost(median(loaded) / base, 2),
  });
}
