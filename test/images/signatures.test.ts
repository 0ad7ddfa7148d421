import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndPush } from './helpers/build.js';
import { generateKeyPair, publicKeyOf, sign, verify } from './helpers/cosign.js';
import { repositoryOf } from './helpers/layers.js';
import { deleteImage, fetchManifest, manifestDigest } from './helpers/registry.js';
import { allImages, runId, settings } from './helpers/settings.js';

// `make images` signed what it pushed (mk/images.mk: the lab's key in `make test-images`): every
// tag verifies against the public key, and so does each platform manifest (what a function's FROM
// resolves and what Lambda pulls). A different key, or an image changed after signing, does not.
const publicKey = publicKeyOf(settings.signingKey);
const scratch = mkdtempSync(join(tmpdir(), 'signatures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(allImages())('%s', (reference) => {
  it('verifies against the signing key, for the tag and for every platform manifest', async () => {
    const digest = await manifestDigest(reference);
    const tag = await verify(reference, publicKey);
    expect(tag.ok, tag.stderr).toBe(true);
    expect(tag.digests).toEqual([digest]);
    const index = await fetchManifest(reference);
    const platforms = (index.manifests ?? []).filter((entry) => entry.platform?.os === 'linux');
    expect(platforms.length).toBeGreaterThan(0);
    for (const entry of platforms) {
      const result = await verify(`${repositoryOf(reference)}@${entry.digest}`, publicKey);
      expect(result.ok, `${entry.platform?.architecture} ${result.stderr}`).toBe(true);
    }
  });

  it('does not verify against another key', async () => {
    const other = await generateKeyPair(scratch, `other-${reference.replace(/\W/g, '-')}`);
    const result = await verify(reference, other.publicKey);
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/no matching signatures|invalid signature/i);
  });
});

// A signed image, then another image pushed under the same tag (what a compromised pipeline or a
// mistaken push does): the tag no longer verifies, the signed digest still does.
describe('an image changed after signing', () => {
  const tag = `${settings.labRegistry}/images-test/signed:${runId}`;
  const context = join(scratch, 'image');
  let signedDigest: string | undefined;

  async function pushVersion(content: string): Promise<string | undefined> {
    writeFileSync(join(context, 'version.txt'), content);
    await buildAndPush({ context, dockerfile: join(context, 'Dockerfile'), platforms: ['linux/amd64'], tag });
    return manifestDigest(tag);
  }

  beforeAll(async () => {
    mkdirSync(context);
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY version.txt /version.txt\n');
    signedDigest = await pushVersion(`signed ${runId}\n`);
    await sign(`${repositoryOf(tag)}@${signedDigest}`, settings.signingKey);
  });

  afterAll(() => deleteImage(tag));

  it('verifies while the tag points at what was signed', async () => {
    const result = await verify(tag, publicKey);
    expect(result.ok, result.stderr).toBe(true);
    expect(result.digests).toEqual([signedDigest]);
  });

  it('fails once a modified image is pushed under the same tag, while the signed digest still verifies', async () => {
    const changed = await pushVersion(`changed ${runId}\n`);
    expect(changed).not.toBe(signedDigest);
    const result = await verify(tag, publicKey);
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/no signatures found/i);
    expect((await verify(`${repositoryOf(tag)}@${signedDigest}`, publicKey)).ok).toBe(true);
  });
});
