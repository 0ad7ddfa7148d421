import { afterAll, describe, expect, it } from 'vitest';
import { removeContainer, uniqueContainerName } from './helpers/containers.js';
import { run } from './helpers/run.js';
import { pin } from './helpers/versions.js';

const image = `${pin('REGISTRY_ADDR')}/library/node:${pin('NODE22_VERSION')}-${pin('DEBIAN_SUITE')}-slim`;

describe('the docker engine', () => {
  const names = [uniqueContainerName('side-a'), uniqueContainerName('side-b')];
  afterAll(async () => {
    await Promise.all(names.map(removeContainer));
  });

  it('pulls from the local registry and runs several host-network containers side by side', async () => {
    await run('docker', ['pull', '--quiet', '--platform', 'linux/amd64', image], 300_000);
    for (const name of names) {
      await run('docker', ['run', '--detach', '--name', name, '--network', 'host', image, 'sleep', '60']);
    }
    for (const name of names) {
      const { stdout } = await run('docker', ['inspect', '--format', '{{.State.Running}}', name]);
      expect(stdout.trim()).toBe('true');
    }
  });
});
