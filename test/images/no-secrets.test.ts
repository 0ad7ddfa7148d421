import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndPush } from './helpers/build.js';
import { manifestBlobs, manifestsOf, repositoryOf } from './helpers/layers.js';
import { deleteImage, manifestDigest } from './helpers/registry.js';
import {
  caBundleNeedles,
  debianPackagedFiles,
  keyFileNeedles,
  type Needle,
  privateKeyNeedle,
  tokenNeedles,
} from './helpers/secrets.js';
import { allImages, runId, settings } from './helpers/settings.js';

// Every blob of every image `make images` pushed (each platform's config and layers, unpacked file
// by file; the attestation manifests; the signatures) is searched for what must never be in an
// image: the build secret `cacert`, credentials, private keys (the cosign signing key among them).
// The images were built with the machine's CA bundle as `cacert`, so a leak would show here.
// A key file (the lab's); a KMS key reference (awskms://…) has no material on this machine.
const signingKeyFile = existsSync(settings.signingKey);
const needles: Needle[] = [
  ...(settings.cacert === '' ? [] : caBundleNeedles(settings.cacert)),
  privateKeyNeedle,
  ...(signingKeyFile ? keyFileNeedles(settings.signingKey) : []),
  ...tokenNeedles(process.env),
];

interface Finding {
  readonly what: string;
  readonly where: string;
}

interface Scan {
  readonly findings: Finding[];
  blobs: number;
  files: number;
  /** Files exactly as a Debian package shipped them (see Needle.inPackagedFiles). */
  packaged: number;
  bytes: number;
}

/** Scans every manifest behind `reference` and, when signed, its signatures. */
async function scanImage(reference: string): Promise<Scan> {
  const scan: Scan = { findings: [], blobs: 0, files: 0, packaged: 0, bytes: 0 };
  const repository = repositoryOf(reference);
  const entries = await manifestsOf(reference);
  const top = await manifestDigest(reference);
  // cosign keeps the signature of <digest> under the tag sha256-<hex>.sig, beside the image.
  for (const digest of [top, ...entries.map((entry) => entry.digest)]) {
    const signature = `${repository}:${digest?.replace(':', '-')}.sig`;
    if (digest !== undefined && (await manifestDigest(signature)) !== undefined) {
      entries.push(...(await manifestsOf(signature)));
    }
  }
  for (const { digest, manifest } of entries) {
    const blobs = await manifestBlobs(repository, manifest, digest);
    const packaged = debianPackagedFiles(blobs.flatMap((blob) => blob.files));
    scan.packaged += packaged.size;
    for (const blob of blobs) {
      scan.blobs += 1;
      for (const file of blob.files) {
        scan.files += 1;
        scan.bytes += file.content.length;
        for (const needle of needles) {
          if (!needle.inPackagedFiles && packaged.has(file.path)) continue;
          if (needle.find(file.content) >= 0) {
            scan.findings.push({ what: needle.what, where: `${blob.origin} ${file.path}` });
          }
        }
      }
    }
  }
  return scan;
}

describe('no secret in any layer', () => {
  it('looks for the secret cacert certificates, private keys, the signing key and tokens', () => {
    const kinds = needles.map((needle) => needle.what);
    if (settings.cacert !== '')
      expect(kinds.filter((what) => what.startsWith('certificate #')).length).toBeGreaterThan(0);
    expect(kinds).toEqual(expect.arrayContaining(['a PEM private key', 'a test session token']));
  });

  it.each(allImages())(
    '%s: nothing in any blob of any platform, attestation or signature',
    async (reference) => {
      const scan = await scanImage(reference);
      console.info(
        `${reference}: ${scan.blobs} blobs, ${scan.files} files (${scan.packaged} as Debian shipped them), ` +
          `${(scan.bytes / 1024 / 1024).toFixed(0)} MB searched`,
      );
      expect(scan.files).toBeGreaterThan(0);
      expect(scan.findings).toEqual([]);
    },
  );
});

// The search itself must find each kind of secret when it is there: an image that leaks them all.
describe('an image that leaks secrets (control)', () => {
  const tag = `${settings.labRegistry}/images-test/leaky:${runId}`;
  const context = mkdtempSync(join(tmpdir(), 'leaky-'));

  beforeAll(async () => {
    mkdirSync(join(context, 'leak'));
    if (settings.cacert !== '') writeFileSync(join(context, 'leak/ca.pem'), readFileSync(settings.cacert));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(context, 'leak/key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(
      join(context, 'leak/env'),
      `AWS_SESSION_TOKEN=session-${randomBytes(12).toString('hex')}\n`,
    );
    if (signingKeyFile) writeFileSync(join(context, 'leak/cosign.key'), readFileSync(settings.signingKey));
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY leak/ /leak/\n');
    await buildAndPush({
      context,
      dockerfile: join(context, 'Dockerfile'),
      platforms: ['linux/amd64'],
      tag,
    });
  });

  afterAll(async () => {
    rmSync(context, { recursive: true, force: true });
    await deleteImage(tag);
  });

  it('is caught, each secret in its file', async () => {
    const { findings } = await scanImage(tag);
    const found = (path: string): string[] =>
      findings.filter((finding) => finding.where.endsWith(path)).map((finding) => finding.what);
    if (settings.cacert !== '') {
      expect(found('leak/ca.pem')).toEqual(expect.arrayContaining([`the cacert bundle ${settings.cacert}`]));
      expect(found('leak/ca.pem').some((what) => what.startsWith('certificate #'))).toBe(true);
    }
    expect(found('leak/key.pem')).toEqual(['a PEM private key']);
    expect(found('leak/env')).toEqual(['a test session token']);
    if (signingKeyFile) {
      expect(found('leak/cosign.key')).toEqual(
        expect.arrayContaining(['a PEM private key', `the key file ${settings.signingKey}`]),
      );
    }
  });
});
