import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/command.js';
import { pin } from './helpers/versions.js';

const lab = (script: string) => fileURLToPath(new URL(`../../lab/${script}`, import.meta.url));
const locked = new Map(
  readFileSync(fileURLToPath(new URL('../../images/bases.lock', import.meta.url)), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('docker.io/'))
    .map((line) => line.split(' ') as [string, string]),
);

// make demo runs `LAB_PROFILE=demo lab/up.sh`: only what its one host-architecture build and run need.
describe('the demo profile on a lab that is up', () => {
  it('brings up moto, docker, the registry, BuildKit and the two bases the demo builds from, nothing else', async () => {
    const startedAt = Date.now();
    const { stdout } = await runCommand(lab('up.sh'), [], {
      timeoutMs: 60_000,
      env: { ...process.env, LAB_PROFILE: 'demo' },
    });
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    const lines = stdout.toString('utf8').trim().split('\n');
    expect(lines.map((line) => line.split(/\s+/)[1])).toEqual([
      'moto',
      'docker',
      'registry',
      'buildkitd',
      'buildx',
      `node${pin('BUILD_NODE_MAJOR')}`,
      'golang',
    ]);
    for (const line of lines) expect(line).not.toMatch(/\b(started|built|registered now)\b/);
  });

  it('builds from the locked stand-ins when the registry serves them', async () => {
    const suite = pin('DEBIAN_SUITE');
    const expected = [
      ['node22', `docker.io/library/node:${pin('NODE22_VERSION')}-${suite}-slim`],
      ['golang', `docker.io/library/golang:${pin('GO_VERSION')}-${suite}`],
    ] as const;
    for (const [which, reference] of expected) {
      const { stdout } = await runCommand(lab('base-images.sh'), ['ref', which], { timeoutMs: 10_000 });
      expect(stdout.toString('utf8').trim()).toBe(`${reference}@${locked.get(reference)}`);
    }
  });

  it('refuses a profile it does not know, naming the variable', async () => {
    const result = await runCommand(lab('up.sh'), [], {
      timeoutMs: 10_000,
      allowFailure: true,
      env: { ...process.env, LAB_PROFILE: 'small' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('LAB_PROFILE=small is not a profile (full or demo)');
  });
});
