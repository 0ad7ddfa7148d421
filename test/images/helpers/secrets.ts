import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/** Something that must never be in an image, and how to recognise it in a file's bytes. */
export interface Needle {
  readonly what: string;
  /**
   * Whether the needle also applies to a file exactly as a Debian package shipped it (checksum in
   * the image's dpkg database). Generic patterns do not: Debian's libraries carry public test keys
   * (GnuTLS's self-test private keys); our own secrets are searched for everywhere.
   */
  readonly inPackagedFiles: boolean;
  /** Index of the first occurrence in `content`, or -1. */
  readonly find: (content: Buffer) => number;
}

const exact = (what: string, value: string | Buffer): Needle => {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return { what, inPackagedFiles: true, find: (content) => content.indexOf(bytes) };
};

/** A pattern, tried only where its literal anchor occurs (the files are large: Node is ~100 MB). */
const pattern = (what: string, anchor: string, regex: RegExp, before: number, after: number): Needle => ({
  what,
  inPackagedFiles: false,
  find: (content) => {
    for (let at = content.indexOf(anchor); at >= 0; at = content.indexOf(anchor, at + 1)) {
      const start = Math.max(0, at - before);
      const window = content.subarray(start, at + anchor.length + after).toString('latin1');
      const match = regex.exec(window);
      if (match) return start + match.index;
    }
    return -1;
  },
});

const pemBody = (pem: string): string[] =>
  pem
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('-----'));

/**
 * The build secret `cacert` (a CA bundle): the whole file, and each certificate in it that is not
 * one of Node's own public roots (those are in every Node binary; the others, such as a proxy's
 * private CA, are what the secret adds). A certificate is found by one of its inner base64 lines,
 * which any PEM copy of it repeats verbatim.
 */
export function caBundleNeedles(path: string): Needle[] {
  const bundle = readFileSync(path, 'utf8');
  const publicRoots = new Set(rootCertificates.map((pem) => pemBody(pem).join('')));
  const certificates = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const needles = [exact(`the cacert bundle ${path}`, bundle)];
  certificates.forEach((pem, index) => {
    const body = pemBody(pem);
    if (publicRoots.has(body.join(''))) return;
    const line = body[Math.floor(body.length / 2)];
    if (line !== undefined && line.length >= 48)
      needles.push(exact(`certificate #${index + 1} of ${path}`, line));
  });
  return needles;
}

/**
 * Private keys in PEM form (any kind: RSA, EC, PKCS#8, OpenSSH, encrypted, cosign's): a BEGIN line
 * followed by key material. A bare header (as in OpenSSL's strings) is not a key.
 */
export const privateKeyNeedle: Needle = pattern(
  'a PEM private key',
  'PRIVATE KEY-----',
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\r?\n(?:[A-Za-z0-9+/=:, -]*\r?\n)*?[A-Za-z0-9+/]{40,}/,
  64,
  512,
);

/** A given key file's own content (e.g. the cosign signing key) and its longest base64 line. */
export function keyFileNeedles(path: string): Needle[] {
  const pem = readFileSync(path, 'utf8');
  const longest = pemBody(pem).sort((a, b) => b.length - a.length)[0] ?? '';
  return [exact(`the key file ${path}`, pem), exact(`key material of ${path}`, longest)];
}

/**
 * Credentials: the AWS session tokens the tests hand to containers (`session-<24 hex>`, bench's
 * `bench-<16 hex>`), real AWS session tokens (their base64 starts with `IQoJb3JpZ2luX2Vj` or
 * `FwoGZXIvYXdz`), access key ids of temporary credentials (ASIA…), and whatever AWS credentials the
 * machine running the build has in its environment.
 */
export function tokenNeedles(environment: NodeJS.ProcessEnv): Needle[] {
  const needles = [
    pattern('a test session token', 'session-', /session-[0-9a-f]{24}(?![0-9a-f])/, 0, 40),
    pattern('a bench session token', 'bench-', /bench-[0-9a-f]{16}(?![0-9a-f])/, 0, 30),
    pattern('an AWS session token', 'IQoJb3JpZ2luX2Vj', /IQoJb3JpZ2luX2Vj[A-Za-z0-9+/=]{100,}/, 0, 200),
    pattern('an AWS session token', 'FwoGZXIvYXdz', /FwoGZXIvYXdz[A-Za-z0-9+/=]{100,}/, 0, 200),
    pattern('a temporary AWS access key id', 'ASIA', /(?<![A-Z0-9])ASIA[A-Z2-7]{16}(?![A-Z0-9])/, 1, 24),
  ];
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID']) {
    const value = environment[name];
    // Short values ("test", "demo") are the fake credentials the lab uses; they are no secret.
    if (value !== undefined && value.length >= 16) needles.push(exact(`$${name} of this machine`, value));
  }
  return needles;
}

const normalise = (path: string): string => path.replace(/^\.?\//, '');

/**
 * The files of an image that are exactly as a Debian package installed them: the paths whose MD5
 * matches the package's entry in var/lib/dpkg/info/*.md5sums (of any layer of the same image).
 */
export function debianPackagedFiles(files: readonly { path: string; content: Buffer }[]): Set<string> {
  const expected = new Map<string, string>();
  for (const file of files) {
    if (!/^(\.\/)?var\/lib\/dpkg\/info\/[^/]+\.md5sums$/.test(file.path)) continue;
    for (const line of file.content.toString('utf8').split('\n')) {
      const match = /^([0-9a-f]{32}) {2}(.+)$/.exec(line);
      if (match?.[1] && match[2]) expected.set(normalise(match[2]), match[1]);
    }
  }
  const packaged = new Set<string>();
  for (const file of files) {
    const path = normalise(file.path);
    const md5 = expected.get(path);
    if (md5 !== undefined && createHash('md5').update(file.content).digest('hex') === md5)
      packaged.add(file.path);
  }
  return packaged;
}
