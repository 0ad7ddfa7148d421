/**
 * Refresh-ahead and stale max age through the built extension (a real process) against moto, with every
 * backend call counted by a proxy in front of it; a Lambda freeze is simulated with SIGSTOP/SIGCONT.
 * In both modes: the same rules hold with the cache inside the function's process (in-process).
 */

import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import {
  EXTENSION_MODES,
  type ExtensionMode,
  type ExtensionProcess,
  startExtension,
} from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSsm, resetMoto } from '../helpers/moto.js';

let proxy: CountingProxy;
const running: ExtensionProcess[] = [];
/** The mode of the suite running now (describe.each below). */
let mode: ExtensionMode = 'separate';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function extensionWith(env: Record<string, string>): Promise<ExtensionProcess> {
  const extension = await startExtension({
    port: await freePort(),
    env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: proxy.url, AWS_SESSION_TOKEN: TEST_TOKEN, ...env },
    mode,
  });
  running.push(extension);
  return extension;
}

/** One read of /ahead/p, timed. */
async function timedRead(extension: ExtensionProcess) {
  const started = performance.now();
  const answer = await getWithToken(`${extension.baseUrl}/systemsmanager/parameters/get?name=/ahead/p`);
  return { answer, ms: performance.now() - started };
}

const calls = () => proxy.count('GetParameter');

/**
 * Calls since `before` once the background refresh had time to reach the proxy (it is sent after the
 * answer): waits until `expected` calls (at most 3 s), then a little longer, so a surplus shows too.
 */
async function settledCalls(before: number, expected: number): Promise<number> {
  const deadline = Date.now() + 3_000;
  while (calls() - before < expected && Date.now() < deadline) await sleep(20);
  await sleep(100);
  return calls() - before;
}
/**
 * An extension with a 2 s TTL refreshed ahead past its first second, /ahead/p read once (a miss) and
 * 1.1 s gone by: the next hit is past the fraction. `before` is the call count before that miss.
 */
async function readOnceThenAge(): Promise<{ extension: ExtensionProcess; before: number }> {
  const extension = await extensionWith({
    SSM_PARAMETER_STORE_TTL: '2',
    PARAMETERS_SECRETS_EXTENSION_REFRESH_AHEAD: '50',
  });
  const before = calls();
  await timedRead(extension);
  await sleep(1_100);
  return { extension, before };
}

beforeAll(async () => {
  await resetMoto();
  await motoSsm().send(
    new PutParameterCommand({ Name: '/ahead/p', Value: 'v1', Type: 'String', Overwrite: true }),
  );
  proxy = await startCountingProxy(MOTO_ENDPOINT);
});

beforeEach(async () => {
  proxy.setDelay(0);
  proxy.failNext('GetParameter', 0, '');
  await motoSsm().send(
    new PutParameterCommand({ Name: '/ahead/p', Value: 'v1', Type: 'String', Overwrite: true }),
  );
});

afterAll(async () => {
  for (const extension of running) extension.child.kill('SIGCONT');
  await Promise.all(running.map((extension) => extension.stop()));
  await proxy?.close();
});

describe.each(EXTENSION_MODES)('%s', (each) => {
  beforeAll(() => {
    mode = each;
  });

  describe('refresh-ahead (PARAMETERS_SECRETS_EXTENSION_REFRESH_AHEAD)', () => {
    it('answers a hit past the fraction at once and refreshes it in the background, once per TTL', async () => {
      const { extension, before } = await readOnceThenAge();
      await motoSsm().send(
        new PutParameterCommand({ Name: '/ahead/p', Value: 'v2', Type: 'String', Overwrite: true }),
      );

      // Past half the TTL: answered from the cache, one refresh started.
      const first = await timedRead(extension);
      await timedRead(extension);
      await timedRead(extension);
      expect(first.answer.json<{ Parameter: { Value: string } }>().Parameter.Value).toBe('v1');
      expect(await settledCalls(before, 2)).toBe(2);

      // Past the first value's TTL: the refreshed value is a hit, no request waits on SSM.
      await sleep(1_000);
      const after = await timedRead(extension);
      expect(after.answer.json<{ Parameter: { Value: string } }>().Parameter.Value).toBe('v2');
      expect(calls() - before).toBe(2);
    });

    it('survives a freeze that cuts a refresh: no request waits on it, and the cache stays right', async () => {
      const { extension, before } = await readOnceThenAge();

      // The refresh reaches SSM's stand-in but its answer is held back far past the freeze.
      proxy.setDelay(8_000);
      const hit = await timedRead(extension);
      expect(hit.answer.status).toBe(200);
      expect(hit.ms).toBeLessThan(500);
      await sleep(100);
      expect(await settledCalls(before, 2)).toBe(2);

      // Freeze past the entry's TTL, then thaw, as Lambda does between invokes.
      extension.child.kill('SIGSTOP');
      await sleep(1_500);
      extension.child.kill('SIGCONT');
      proxy.setDelay(0);

      // Expired: a miss fetched on its own, not queued behind the cut refresh (still held 6 s more).
      const thawed = await timedRead(extension);
      expect(thawed.answer.status).toBe(200);
      expect(thawed.answer.json<{ Parameter: { Value: string } }>().Parameter.Value).toBe('v1');
      expect(thawed.ms).toBeLessThan(2_000);
      expect(calls() - before).toBe(3);
      const again = await timedRead(extension);
      expect(again.ms).toBeLessThan(500);
      expect(calls() - before).toBe(3);
    });

    it('keeps the current value when the refresh fails, until its TTL ends, without retrying', async () => {
      const { extension, before } = await readOnceThenAge();
      proxy.failNext('GetParameter', 1, 'AccessDeniedException');

      for (let i = 0; i < 3; i++) {
        const read = await timedRead(extension);
        expect(read.answer.status).toBe(200);
        await sleep(100);
      }
      expect(await settledCalls(before, 2)).toBe(2);

      // TTL over: the normal rules (a miss, fetched).
      await sleep(800);
      expect((await timedRead(extension)).answer.status).toBe(200);
      expect(calls() - before).toBe(3);
    });
  });

  describe('stale max age (PARAMETERS_SECRETS_EXTENSION_STALE_MAX_AGE)', () => {
    it('serves a stale value on a transient error only while it is younger than the max age', async () => {
      const extension = await extensionWith({
        SSM_PARAMETER_STORE_TTL: '1',
        // The SDK backs off up to ~1 s, then ~2 s, between throttled attempts: a budget keeps each read short.
        SSM_PARAMETER_STORE_TIMEOUT_MILLIS: '500',
        PARAMETERS_SECRETS_EXTENSION_STALE_ON_ERROR: 'true',
        PARAMETERS_SECRETS_EXTENSION_STALE_MAX_AGE: '3',
      });
      await timedRead(extension);
      const fetchedAt = performance.now();
      await sleep(1_100);
      proxy.failNext('GetParameter', 1_000, 'ThrottlingException');

      const stale = await timedRead(extension);
      expect(stale.answer.status).toBe(200);
      expect(stale.answer.json<{ Parameter: { Value: string } }>().Parameter.Value).toBe('v1');

      await sleep(Math.max(0, fetchedAt + 3_300 - performance.now()));
      const tooOld = await timedRead(extension);
      expect(tooOld.answer.status).toBe(400);
      expect(tooOld.answer.json()).toMatchObject({ __type: 'ThrottlingException' });
    });
  });
});
