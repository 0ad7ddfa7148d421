import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELF_MACHINE, elfMachine } from '../helpers/elf.js';
import { run } from './helpers/run.js';
import { pin } from './helpers/versions.js';

// The way the images build the RIE: a stage FROM the real golang name (served by buildkitd's docker.io
// mirror from the local registry) on the build platform, `go install` over HTTPS with the machine's CA
// bundle passed as a secret, cross-compiled for arm64.
const dockerfile = `FROM --platform=$BUILDPLATFORM golang:${pin('GO_VERSION').split('.').slice(0, 2).join('.')}-${pin('DEBIAN_SUITE')} AS rie
ARG TARGETARCH
ARG RIE_VERSION
RUN --mount=type=secret,id=cacert,target=/run/secrets/cacert \\
    SSL_CERT_FILE=/run/secrets/cacert CGO_ENABLED=0 GOOS=linux GOARCH=$TARGETARCH \\
    go install -ldflags='-s -w' github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@\${RIE_VERSION} \\
 && find /go/bin -type f -name aws-lambda-rie -exec cp {} /aws-lambda-rie \\;
FROM scratch
COPY --from=rie /aws-lambda-rie /
`;

describe('a build on the lab builder', () => {
  let workDir = '';
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'lab-mirror-build-'));
    await writeFile(join(workDir, 'Dockerfile'), dockerfile);
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('resolves golang:<minor>-<suite> through the mirror and go-installs the RIE for arm64', async () => {
    await run(
      'docker',
      [
        'buildx',
        'build',
        '--builder',
        'lab',
        '--platform',
        'linux/arm64',
        '--build-arg',
        `RIE_VERSION=${pin('RIE_VERSION')}`,
        '--secret',
        'id=cacert,src=/etc/ssl/certs/ca-certificates.crt',
        '--output',
        `type=local,dest=${join(workDir, 'out')}`,
        workDir,
      ],
      600_000,
    );
    expect(await elfMachine(join(workDir, 'out', 'aws-lambda-rie'))).toBe(ELF_MACHINE.arm64);
  });
});
