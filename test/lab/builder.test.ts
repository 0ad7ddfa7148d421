import { describe, expect, it } from 'vitest';
import { run } from './helpers/run.js';

describe('the lab builder', () => {
  it('is listed by docker buildx ls and selected', async () => {
    const { stdout } = await run('docker', ['buildx', 'ls']);
    expect(stdout).toMatch(/^lab\*\s+remote/m);
  });

  it('offers linux/amd64 and linux/arm64 through the running buildkitd', async () => {
    const { stdout } = await run('docker', ['buildx', 'inspect', 'lab', '--bootstrap']);
    expect(stdout).toMatch(/^Status:\s+running$/m);
    const platforms = /^Platforms:\s+(.*)$/m.exec(stdout)?.[1]?.split(/,\s*/) ?? [];
    expect(platforms).toEqual(expect.arrayContaining(['linux/amd64', 'linux/arm64']));
  });
});
