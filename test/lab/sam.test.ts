import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './helpers/run.js';
import { pin } from './helpers/versions.js';

// lab/sam.sh: SAM CLI in its venv and the Docker engine it runs functions on, whose bridge stays
// private to this machine (test/sam/ exercises SAM itself).
const samScript = fileURLToPath(new URL('../../lab/sam.sh', import.meta.url));

async function samEnv(): Promise<Record<string, string>> {
  const { stdout } = await run(samScript, ['env']);
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('lab/sam.sh', () => {
  it('reports SAM CLI and its engine as running, in one line', async () => {
    const { stdout } = await run(samScript, ['status']);
    expect(stdout.trim()).toMatch(/^lab {2}sam +aws-sam-cli \d+\.\d+\.\d+ +running \(engine /);
  });

  it('installs the pinned SAM CLI', async () => {
    const env = await samEnv();
    const { stdout } = await run(env.SAM_CLI ?? 'sam', ['--version']);
    expect(stdout.trim()).toBe(`SAM CLI, version ${pin('SAM_CLI_VERSION')}`);
  });

  it("runs an engine whose default network is its own bridge, on the bridge's gateway address", async () => {
    const env = await samEnv();
    const { stdout } = await run('docker', [
      '--host',
      env.DOCKER_HOST ?? '',
      'network',
      'inspect',
      'bridge',
      '--format',
      '{{index .Options "com.docker.network.bridge.name"}} {{(index .IPAM.Config 0).Gateway}}',
    ]);
    const [bridge, gateway] = stdout.trim().split(' ');
    expect(bridge).toBe('labsam0');
    expect(gateway).toBe(env.SAM_BRIDGE_ADDRESS);
  });

  it('keeps the bridge to this machine: nothing arriving on it is forwarded, no IPv6 on it', () => {
    expect(readFileSync('/proc/sys/net/ipv4/conf/labsam0/forwarding', 'utf8').trim()).toBe('0');
    expect(readFileSync('/proc/sys/net/ipv6/conf/labsam0/disable_ipv6', 'utf8').trim()).toBe('1');
  });
});
