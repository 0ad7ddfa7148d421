import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/command.js';

const lib = fileURLToPath(new URL('../../lab/lib.sh', import.meta.url));

// Every long first-time step of the lab (apt, pip, go builds, mmdebstrap, stand-in builds) runs
// through lab_with_progress, so a first `make lab` / `make demo` is never silent for long.
describe('lab_with_progress', () => {
  let stateDir = '';
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'lab-progress-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  const withProgress = (step: string) =>
    runCommand(
      'bash',
      ['-c', `. "${lib}" && lab_with_progress demo-step "a long step" "$LAB_STATE_DIR/step.log" ${step}`],
      {
        timeoutMs: 20_000,
        allowFailure: true,
        env: { ...process.env, LAB_STATE_DIR: stateDir, LAB_PROGRESS_SECONDS: '1' },
      },
    );

  it('prints a line per interval while the step runs, and sends the step output to its log', async () => {
    const startedAt = Date.now();
    const result = await withProgress(`bash -c 'echo step output; sleep 2.5'`);
    expect(result.code).toBe(0);
    // The ticker stops with the step: the command returns as soon as the step ends.
    expect(Date.now() - startedAt).toBeLessThan(6_000);
    const lines = result.stderr.trim().split('\n');
    const last = lines.pop();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^lab {2}demo-step +\.\.\. a long step \(\d+ s so far\)$/);
    // A step that ticked says when it ends, so the next step's first tick is not 2 intervals away.
    expect(last).toMatch(/^lab {2}demo-step +\.\.\. a long step: done in [23] s$/);
    expect(result.stdout.toString('utf8')).toBe('');
    expect(await readFile(join(stateDir, 'step.log'), 'utf8')).toBe('step output\n');
  });

  it("returns the step's exit status", async () => {
    const result = await withProgress(`bash -c 'exit 3'`);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('');
  });
});
