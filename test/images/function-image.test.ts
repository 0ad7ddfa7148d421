import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingProxy } from '../helpers/counting-proxy.js';
import { type PrivateMoto, startPrivateMoto } from '../helpers/moto.js';
import { seedExampleData } from './helpers/aws-data.js';
import { buildAndPush } from './helpers/build.js';
import { LambdaContainer } from './helpers/lambda-container.js';
import { deleteImage, fetchImageConfig, fetchManifest } from './helpers/registry.js';
import { baseImage, runId, settings } from './helpers/settings.js';

// examples/: the three-line function on our base, built for one architecture and pushed with the
// command docs/guide.md gives for ECR. Lambda accepts only a single-architecture image manifest
// (no index, no attestation manifests), so that is what the registry must hold, even though the
// base image's index carries provenance and SBOM attestations.
const examples = fileURLToPath(new URL('../../examples', import.meta.url));
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
// The config and layer media types Lambda takes (OCI or Docker v2 images; no in-toto layers).
const CONFIG_TYPES = [
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
];
const LAYER_TYPES = [
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
];

describe.each(settings.architectures)('examples/Dockerfile built for linux/%s only', (arch) => {
  const tag = `${settings.labRegistry}/images-test/example-function:${arch}-${runId}`;

  beforeAll(async () => {
    await buildAndPush({
      context: examples,
      dockerfile: `${examples}/Dockerfile`,
      platforms: [`linux/${arch}`],
      tag,
      buildContexts: { 'lambda-nodejs:22': `docker-image://${baseImage('22')}` },
    });
  });

  it('is pushed as one image manifest of a type Lambda accepts, not an index', async () => {
    const manifest = await fetchManifest(tag);
    expect([OCI_MANIFEST, DOCKER_MANIFEST]).toContain(manifest.mediaType);
    expect(manifest.manifests).toBeUndefined();
    expect(CONFIG_TYPES).toContain(manifest.config?.mediaType);
    for (const layer of manifest.layers ?? []) expect(LAYER_TYPES).toContain(layer.mediaType);
    const config = await fetchImageConfig(tag, manifest);
    expect(config.architecture).toBe(arch);
    expect(config.os).toBe('linux');
  });

  it('comes from a base image whose index carries attestations (they are not inherited)', async () => {
    const base = await fetchManifest(baseImage('22'));
    const attestations = (base.manifests ?? []).filter(
      (entry) => entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest',
    );
    expect(attestations.length).toBeGreaterThan(0);
  });

  it("keeps the base image's entrypoint and working directory", async () => {
    const manifest = await fetchManifest(tag);
    const { config } = await fetchImageConfig(tag, manifest);
    expect(config.Entrypoint).toEqual(['/lambda-entrypoint.sh']);
    expect(config.WorkingDir).toBe('/var/task');
  });
});

afterAll(async () => {
  for (const arch of settings.architectures) {
    await deleteImage(`${settings.labRegistry}/images-test/example-function:${arch}-${runId}`);
  }
});

describe('the example functions under the RIE', () => {
  const arch = settings.architectures[0] ?? 'amd64';
  const tag = `${settings.labRegistry}/images-test/example-function:${arch}-${runId}`;
  let moto: PrivateMoto | undefined;

  afterAll(async () => {
    await moto?.stop();
  });

  // index.mjs reads with the client module in the image, fetch.mjs with the plain HTTP API.
  it.each(['index', 'fetch'])(
    '%s.mjs returns the parameter read during INIT and the secret read per invoke',
    async (file) => {
      moto ??= await startPrivateMoto();
      const seeded = await seedExampleData(moto.endpoint, `${runId}-${file}`);
      const proxy = await startCountingProxy(moto.endpoint);
      let container: LambdaContainer | undefined;
      try {
        container = await LambdaContainer.start({
          image: tag,
          platform: `linux/${arch}`,
          namePrefix: 'images-test-example',
          handler: `${file}.handler`,
          awsEndpoint: proxy.url,
          environment: { PARAMETER_NAME: seeded.parameterName, SECRET_ID: seeded.secretId },
        });
        const result = await container.invoke({});
        expect(result.status).toBe(200);
        const got = JSON.parse(result.body);
        expect(got).toMatchObject({ parameter: seeded.parameterValue, secretLength: seeded.secretLength });
        // It reports how long each read through the extension took (make demo prints these).
        expect(got.timingsMs.parameterDuringInit).toBeGreaterThan(0);
        expect(got.timingsMs.secret).toBeGreaterThan(0);
      } finally {
        await container?.remove();
        await proxy.close();
      }
    },
  );
});
