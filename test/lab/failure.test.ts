import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const registryScript = fileURLToPath(new URL('../../lab/registry.sh', import.meta.url));

interface Outcome {
  code: number | null;
  stderr: string;
}

function runScript(path: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(path, [...args], { env, encoding: 'utf8', timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr });
    });
  });
}

// A lab with its own (empty) state directory has no record of the running registry, so port 5000 is
// taken by a process it did not start: it must refuse, name the component and the log, and exit 1.
describe('a component that cannot come up', () => {
  let stateDir = '';
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'lab-failure-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('fails loudly, naming itself and the log to read', async () => {
    const outcome = await runScript(registryScript, ['up'], { ...process.env, LAB_STATE_DIR: stateDir });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(
      /^lab {2}registry +FAILED: something else already answers on http:\/\/127\.0\.0\.1:5000/m,
    );
    expect(outcome.stderr).toContain(`read ${stateDir}/logs/registry.log`);
  });
});
