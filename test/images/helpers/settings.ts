import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parsePins } from '../../../scripts/pins/env-file.js';
import { parseLock } from '../../../scripts/pins/lock-file.js';

const pins = parsePins(readFileSync(new URL('../../../lab/versions.env', import.meta.url), 'utf8'));

/** A pin from lab/versions.env (the images' Node versions, Debian suite, ...). */
export function pinned(key: string): string {
  const value = pins.get(key);
  if (value === undefined || value === '') throw new Error(`lab/versions.env has no ${key}`);
  return value;
}

const lock = parseLock(readFileSync(new URL('../../../images/bases.lock', import.meta.url), 'utf8'));

/** The base of a major's image as images/bases.lock pins it, in the lab's registry (repo@digest). */
export function lockedNodeBase(major: string): string {
  const reference = `docker.io/library/node:${pinned(`NODE${major}_VERSION`)}-${pinned('DEBIAN_SUITE')}-slim`;
  const digest = lock.get(reference);
  if (digest === undefined) throw new Error(`images/bases.lock has no ${reference} (make lock)`);
  return `${settings.labRegistry}/library/node@${digest}`;
}

/** The lab's cosign and signing key (lab/cosign.sh), unless mk/images.mk passes others. */
const fromLab = (what: 'bin' | 'key'): string =>
  execFileSync('lab/cosign.sh', [what], { encoding: 'utf8', timeout: 10_000 }).trim();

/** Where the image tests find the lab and the images under test (mk/images.mk sets these). */
export const settings = {
  /** Registry holding the images built by `make images`. */
  imagesRegistry: process.env.IMAGES_REGISTRY ?? '127.0.0.1:5000',
  /** The lab's registry: images the tests build themselves go here, never to a user's registry. */
  labRegistry: process.env.LAB_REGISTRY ?? '127.0.0.1:5000',
  repository: process.env.IMAGES_REPOSITORY ?? 'lambda-nodejs',
  builder: process.env.IMAGES_BUILDER ?? 'lab',
  nodeMajors: (process.env.IMAGES_NODE_MAJORS ?? pinned('NODE_MAJORS')).split(','),
  architectures: (process.env.IMAGES_ARCHITECTURES ?? 'amd64,arm64').split(','),
  /** The build secret `cacert` the images were built with (empty: none was passed). */
  cacert: process.env.CACERT ?? '/etc/ssl/certs/ca-certificates.crt',
  /** cosign and the private key file `make images` signed with; its public key is <key>.pub. */
  cosign: process.env.IMAGES_COSIGN || fromLab('bin'),
  signingKey: process.env.IMAGES_SIGNING_KEY || fromLab('key'),
} as const;

/** Every image `make images` pushes: one base image per Node major, and the extension image. */
export const allImages = (): string[] => [
  ...settings.nodeMajors.map((major) => baseImage(major)),
  extensionImage(),
];

export const baseImage = (major: string): string =>
  `${settings.imagesRegistry}/${settings.repository}:${major}`;
export const extensionImage = (): string =>
  `${settings.imagesRegistry}/${settings.repository}-extension:latest`;
/** A unique suffix per test run, so parallel runs and leftovers never share names. */
export const runId = `${Date.now().toString(36)}-${process.pid}`;
