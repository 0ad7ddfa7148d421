// In the lab project, not the unit one: the first run for a major downloads its Node (npm pack from
// the registry) into the lab cache, which needs the network and more than a unit test's 5 s.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pinned = Object.fromEntries(
  readFileSync('lab/versions.env', 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => line.split('=') as [string, string]),
);

describe('scripts/node-toolchain.sh', () => {
  it.each((pinned.NODE_MAJORS ?? '').split(',').map((major) => [major, pinned[`NODE${major}_VERSION`]]))(
    'provides the pinned Node %s that the images ship',
    (major, version) => {
      const bin = execFileSync('scripts/node-toolchain.sh', [major], { encoding: 'utf8' }).trim();
      const reported = execFileSync(`${bin}/node`, ['--version'], { encoding: 'utf8' }).trim();
      expect(reported).toBe(`v${version}`);
    },
  );

  it('refuses a major the images do not ship, naming it', () => {
    expect(() =>
      execFileSync('scripts/node-toolchain.sh', ['18'], { encoding: 'utf8', stdio: 'pipe' }),
    ).toThrow(/unsupported Node major '18'/);
  });
});
