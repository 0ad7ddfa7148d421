import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ELF_MACHINE, elfMachine } from '../helpers/elf.js';
import { pin } from './helpers/versions.js';

// Where lab/rie.sh leaves the RIE; tests and benchmarks mount these into containers.
const rieDir = `/var/cache/lambda-nodejs-lab/rie/${pin('RIE_VERSION')}`;

describe.each(['amd64', 'arm64'] as const)('aws-lambda-rie for %s', (arch) => {
  const binary = `${rieDir}/${arch}/aws-lambda-rie`;

  it('exists and is executable', async () => {
    await expect(access(binary, constants.X_OK)).resolves.toBeUndefined();
  });

  it(`is a 64-bit ELF executable for ${arch}`, async () => {
    expect(await elfMachine(binary)).toBe(ELF_MACHINE[arch]);
  });
});
