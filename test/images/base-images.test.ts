import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  compressedSize,
  fetchBlob,
  fetchImageConfig,
  fetchManifest,
  type Manifest,
  type ManifestDescriptor,
} from './helpers/registry.js';
import { baseImage, extensionImage, lockedNodeBase, settings } from './helpers/settings.js';

// What `make images` pushed: each image an index of exactly linux/amd64 + linux/arm64, each platform
// with one attestation manifest (provenance + SBOM, test/images/attestations.test.ts) beside it,
// with AWS's image contract in the config. (Functions built FROM it carry no attestations:
// test/images/function-image.test.ts.)
const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
const MB = 1024 * 1024;

const isAttestation = (entry: ManifestDescriptor): boolean =>
  entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';

function platformsOf(index: Manifest): string[] {
  return (index.manifests ?? [])
    .filter((entry) => !isAttestation(entry))
    .map((entry) => `${entry.platform?.os}/${entry.platform?.architecture}`)
    .sort();
}

/** Each platform manifest has exactly one attestation manifest pointing at it, and nothing else. */
function expectOneAttestationPerPlatform(index: Manifest): void {
  const images = (index.manifests ?? []).filter((entry) => !isAttestation(entry));
  const attestations = (index.manifests ?? []).filter(isAttestation);
  expect(attestations.map((entry) => entry.annotations?.['vnd.docker.reference.digest']).sort()).toEqual(
    images.map((entry) => entry.digest).sort(),
  );
}

/** The same repository at another digest (from repo:tag or repo@digest). */
function childReference(reference: string, digest: string): string {
  const end = reference.includes('@') ? reference.indexOf('@') : reference.lastIndexOf(':');
  return `${reference.slice(0, end)}@${digest}`;
}

describe.each(settings.nodeMajors)('lambda-nodejs:%s', (major) => {
  const reference = baseImage(major);

  it('is an index of linux/amd64 and linux/arm64, each with its attestation manifest', async () => {
    const index = await fetchManifest(reference);
    expect(INDEX_TYPES).toContain(index.mediaType);
    expect(platformsOf(index)).toEqual(['linux/amd64', 'linux/arm64']);
    expectOneAttestationPerPlatform(index);
  });

  it.each(settings.architectures)("has AWS's layout and entrypoint on %s", async (arch) => {
    const index = await fetchManifest(reference);
    const entry = (index.manifests ?? []).find((candidate) => candidate.platform?.architecture === arch);
    expect(entry).toBeDefined();
    const child = childReference(reference, entry?.digest ?? '');
    const manifest = await fetchManifest(child);
    const { architecture, config } = await fetchImageConfig(child, manifest);
    expect(architecture).toBe(arch);
    expect(config.Entrypoint).toEqual(['/lambda-entrypoint.sh']);
    expect(config.WorkingDir).toBe('/var/task');
    expect(config.Env).toEqual(
      expect.arrayContaining(['LAMBDA_TASK_ROOT=/var/task', 'LAMBDA_RUNTIME_DIR=/var/runtime']),
    );
    // Its presence would make the entrypoint skip the RIE everywhere.
    expect((config.Env ?? []).some((variable) => variable.startsWith('AWS_LAMBDA_RUNTIME_API='))).toBe(false);

    // Small: what we add to node:<version>-<suite>-slim (RIE, aws-lambda-ric, the extension bundle).
    const baseIndex = await fetchManifest(lockedNodeBase(major));
    const baseEntry = (baseIndex.manifests ?? []).find(
      (candidate) => candidate.platform?.architecture === arch,
    );
    const base = await fetchManifest(childReference(lockedNodeBase(major), baseEntry?.digest ?? ''));
    const added = compressedSize(manifest) - compressedSize(base);
    console.info(
      `lambda-nodejs:${major} ${arch}: ${(compressedSize(manifest) / MB).toFixed(1)} MB compressed, ` +
        `base ${(compressedSize(base) / MB).toFixed(1)} MB, added ${(added / MB).toFixed(1)} MB`,
    );
    expect(added).toBeLessThan(20 * MB);
  });

  it('adds layers on top of the locked base (images/bases.lock), none holding a certificate (the cacert secret stays out)', async () => {
    const arch = settings.architectures[0] ?? 'amd64';
    const index = await fetchManifest(reference);
    const entry = (index.manifests ?? []).find((candidate) => candidate.platform?.architecture === arch);
    const manifest = await fetchManifest(childReference(reference, entry?.digest ?? ''));
    const baseReference = lockedNodeBase(major);
    const baseIndex = await fetchManifest(baseReference);
    const baseEntry = (baseIndex.manifests ?? []).find(
      (candidate) => candidate.platform?.architecture === arch,
    );
    const base = await fetchManifest(childReference(baseReference, baseEntry?.digest ?? ''));
    const baseLayers = (base.layers ?? []).map((layer) => layer.digest);
    const ourLayers = (manifest.layers ?? []).map((layer) => layer.digest);
    expect(ourLayers.slice(0, baseLayers.length)).toEqual(baseLayers);
    // The build ran with the machine's whole CA bundle as the cacert secret: no trace of it may remain.
    for (const digest of ourLayers.slice(baseLayers.length)) {
      const tar = gunzipSync(await fetchBlob(reference, digest));
      expect(tar.includes('-----BEGIN CERTIFICATE-----'), digest).toBe(false);
      expect(tar.includes('run/secrets/cacert'), digest).toBe(false);
    }
  });
});

describe('lambda-nodejs-extension', () => {
  it('is an index of linux/amd64 and linux/arm64 holding one small layer each', async () => {
    const index = await fetchManifest(extensionImage());
    expect(INDEX_TYPES).toContain(index.mediaType);
    expect(platformsOf(index)).toEqual(['linux/amd64', 'linux/arm64']);
    expectOneAttestationPerPlatform(index);
    for (const entry of (index.manifests ?? []).filter((candidate) => !isAttestation(candidate))) {
      const manifest = await fetchManifest(childReference(extensionImage(), entry.digest));
      expect(manifest.layers?.length).toBe(1);
      expect(compressedSize(manifest)).toBeLessThan(10 * MB);
    }
  });
});
