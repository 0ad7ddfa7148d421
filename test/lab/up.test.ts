import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './helpers/run.js';
import { pin } from './helpers/versions.js';

const upScript = fileURLToPath(new URL('../../lab/up.sh', import.meta.url));
const components = [
  'moto',
  'docker',
  'registry',
  'binfmt',
  'buildkitd',
  'buildx',
  'rie',
  ...pin('NODE_MAJORS')
    .split(',')
    .map((major) => `node${major}`),
  'golang',
  'sbom-scanner',
  'cosign',
  'sam',
];

describe('make lab on a lab that is up', () => {
  it('finishes within 15 s, changes nothing and reports one line per component', async () => {
    const startedAt = Date.now();
    const { stdout } = await run(upScript, [], 60_000);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    const lines = stdout.trim().split('\n');
    expect(lines.map((line) => line.split(/\s+/)[1])).toEqual(components);
    for (const line of lines) expect(line).not.toMatch(/\b(started|built|registered now)\b/);
  });
});
