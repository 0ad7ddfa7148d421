/**
 * 1. Start-up: exec → socket accepting → first request answered, for the extension (its launcher,
 * under a scripted Extensions API, as in Lambda) next to `node -e 0` and a bare node:http server; and
 * the CPU time (user + sys, all threads) the extension spent until its /register arrived, next to the
 * CPU time of a whole `node -e 0`. Variants run interleaved, so machine noise hits them alike.
 */
import { spawn } from 'node:child_process';
import { type FakeExtensionsApi, startFakeExtensionsApi } from '../../test/helpers/fake-extensions-api.js';
import { startExtension } from '../lib/extension.js';
import { getOnSocket, waitAccepting } from '../lib/http-probe.js';
import { BARE_HTTP, childEnv, cpuMs, freePort, NODE, start } from '../lib/processes.js';
import { fixed, median, times } from '../lib/stats.js';
import { atMost, type Table } from '../lib/table.js';

const TIMEOUT_MS = 10_000;

function nodeE0(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(NODE, ['-e', '0'], { env: childEnv(), stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(performance.now() - t0);
      else reject(new Error(`node -e 0 exited ${code}`));
    });
  });
}

/** user + sys of a whole `node -e 0`, from the shell's getrusage (ms resolution, all threads). */
function nodeE0Cpu(): Promise<number> {
  const child = spawn('/bin/bash', ['-c', 'TIMEFORMAT="%3U %3S"; time "$0" -e 0', NODE], {
    env: childEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      const [user, sys] = stderr.trim().split(/\s+/).map(Number);
      if (user === undefined || sys === undefined || Number.isNaN(user + sys))
        reject(new Error(`time said: ${stderr}`));
      else resolve((user + sys) * 1000);
    });
  });
}

interface ServerTimes {
  readonly acceptMs: number;
  readonly firstAnswerMs: number;
}

async function bareHttp(): Promise<ServerTimes> {
  const port = await freePort();
  const t0 = performance.now();
  const child = start(NODE, [BARE_HTTP, String(port)]);
  try {
    const socket = await waitAccepting(port, TIMEOUT_MS);
    const accepted = performance.now();
    const response = await getOnSocket(socket, '/', {}, TIMEOUT_MS);
    socket.destroy();
    return { acceptMs: accepted - t0, firstAnswerMs: response.at - t0 };
  } finally {
    await child.stop();
  }
}

interface ExtensionTimes extends ServerTimes {
  readonly registeredMs: number;
  readonly cpuUntilRegisteredMs: number;
}

async function extension(runtimeApi: FakeExtensionsApi): Promise<ExtensionTimes> {
  const port = await freePort();
  let registeredAt = Number.NaN;
  let cpuAtRegister = Number.NaN;
  const t0 = performance.now();
  const child = startExtension({ port, runtimeApi: runtimeApi.address });
  runtimeApi.onRegister = () => {
    registeredAt = performance.now();
    cpuAtRegister = cpuMs(child.pid);
  };
  try {
    const socket = await waitAccepting(port, TIMEOUT_MS);
    const accepted = performance.now();
    const response = await getOnSocket(socket, '/ping', {}, TIMEOUT_MS);
    socket.destroy();
    if (response.status !== 200) throw new Error(`first /ping answered ${response.status}: ${response.body}`);
    return {
      acceptMs: accepted - t0,
      firstAnswerMs: response.at - t0,
      registeredMs: registeredAt - t0,
      cpuUntilRegisteredMs: cpuAtRegister,
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  } finally {
    runtimeApi.onRegister = undefined;
    await child.stop();
  }
}

export async function startupSection(table: Table, reps: number): Promise<void> {
  const api = await startFakeExtensionsApi();
  const nodeE0Ms: number[] = [];
  const nodeE0CpuMs: number[] = [];
  const bare: ServerTimes[] = [];
  const ext: ExtensionTimes[] = [];
  try {
    // Warm the page cache for every file involved, outside the samples.
    await nodeE0();
    await bareHttp();
    await extension(api);
    for (let i = 0; i < reps; i++) {
      nodeE0Ms.push(await nodeE0());
      bare.push(await bareHttp());
      ext.push(await extension(api));
      nodeE0CpuMs.push(await nodeE0Cpu());
    }
  } finally {
    await api.close();
  }
  const e0 = median(nodeE0Ms);
  const accept = median(ext.map((s) => s.acceptMs));
  const bareAccept = median(bare.map((s) => s.acceptMs));
  const n = `median of ${reps}`;
  table.add({
    section: '1 start-up',
    what: `exec → socket accepting, ms (${n})`,
    value: fixed(accept),
    baseline: `node -e 0: ${fixed(e0)}; bare node:http: ${fixed(bareAccept)} (${times(bareAccept, e0)})`,
    ratio: times(accept, e0),
    target: atMost(accept / e0, 1.5),
  });
  const registered = median(ext.map((s) => s.registeredMs));
  table.add({
    section: '1 start-up',
    what: 'exec → /register received by the Extensions API, ms',
    value: fixed(registered),
    baseline: `node -e 0: ${fixed(e0)}`,
    ratio: times(registered, e0),
    target: atMost(registered / e0, 1.15),
  });
  const first = median(ext.map((s) => s.firstAnswerMs));
  const bareFirst = median(bare.map((s) => s.firstAnswerMs));
  table.add({
    section: '1 start-up',
    what: 'exec → first request answered (GET /ping, sent as soon as the socket accepts), ms',
    value: fixed(first),
    baseline: `bare node:http: ${fixed(bareFirst)}; node -e 0: ${fixed(e0)}`,
    ratio: times(first, e0),
    target: '—',
  });
  const cpu = median(ext.map((s) => s.cpuUntilRegisteredMs));
  const e0Cpu = median(nodeE0CpuMs);
  table.add({
    section: '1 start-up',
    what: 'CPU user+sys until registered (all threads), ms',
    value: fixed(cpu),
    baseline: `whole node -e 0: ${fixed(e0Cpu)}`,
    ratio: times(cpu, e0Cpu),
    target: atMost(cpu / e0Cpu, 2),
  });
}
