import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeContainer, uniqueContainerName } from './helpers/containers.js';
import { run } from './helpers/run.js';
import { pin } from './helpers/versions.js';

// The two lab components behind attestations and signatures: the SBOM scanner image BuildKit runs
// (lab/sbom-scanner.sh) and cosign with the lab's key pair (lab/cosign.sh).
const scanner = `${pin('REGISTRY_ADDR')}/docker/buildkit-syft-scanner:stable-1`;
const scratch = mkdtempSync(join(tmpdir(), 'attest-tools-'));
const started: string[] = [];
afterAll(async () => {
  for (const name of started) await removeContainer(name);
  rmSync(scratch, { recursive: true, force: true });
});

describe('the SBOM scanner image', () => {
  it("follows BuildKit's scanner contract: catalogs BUILDKIT_SCAN_SOURCE into an in-toto SPDX statement", async () => {
    const source = join(scratch, 'rootfs');
    const out = join(scratch, 'out');
    mkdirSync(join(source, 'usr/lib/node_modules/left-pad'), { recursive: true });
    mkdirSync(out);
    writeFileSync(
      join(source, 'usr/lib/node_modules/left-pad/package.json'),
      JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }),
    );
    const name = uniqueContainerName('sbom-scanner');
    started.push(name);
    await run('docker', [
      'run',
      '--rm',
      '--name',
      name,
      '--network',
      'host',
      '--tmpfs',
      '/tmp',
      '--volume',
      `${source}:/run/src/core/sbom:ro`,
      '--volume',
      `${out}:/run/out`,
      '--env',
      'BUILDKIT_SCAN_SOURCE=/run/src/core/sbom',
      '--env',
      'BUILDKIT_SCAN_DESTINATION=/run/out',
      scanner,
    ]);
    const statement = JSON.parse(readFileSync(join(out, 'sbom.spdx.json'), 'utf8'));
    expect(statement._type).toBe('https://in-toto.io/Statement/v0.1');
    expect(statement.predicateType).toBe('https://spdx.dev/Document');
    expect(statement.predicate.creationInfo.creators).toContain(`Tool: syft-${pin('SYFT_VERSION')}`);
    const packages = statement.predicate.packages.map(
      (pkg: { name: string; versionInfo: string }) => `${pkg.name}@${pkg.versionInfo}`,
    );
    expect(packages).toContain('left-pad@1.3.0');
  });

  it('refuses to run without BuildKit’s variables, naming the missing one', async () => {
    const name = uniqueContainerName('sbom-scanner');
    started.push(name);
    await expect(
      run('docker', ['run', '--rm', '--name', name, '--network', 'host', scanner]),
    ).rejects.toThrow(/BUILDKIT_SCAN_DESTINATION is not set/);
  });
});

describe('cosign', () => {
  it('is the pinned version, with the lab key pair in place', async () => {
    const { stdout: bin } = await run('lab/cosign.sh', ['bin']);
    const { stdout: version } = await run(bin.trim(), ['version']);
    expect(version).toMatch(new RegExp(`GitVersion:\\s+${pin('COSIGN_VERSION')}\\b`));
    const { stdout: key } = await run('lab/cosign.sh', ['key']);
    expect(readFileSync(key.trim(), 'utf8')).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----/);
    expect(readFileSync(key.trim().replace(/\.key$/, '.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });
});
