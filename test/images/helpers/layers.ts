import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import {
  fetchBlob,
  fetchManifest,
  type Manifest,
  type ManifestDescriptor,
  manifestDigest,
} from './registry.js';

/** One regular file of a layer: its path in the image and its bytes. */
export interface LayerFile {
  readonly path: string;
  readonly content: Buffer;
}

/** One blob of an image as stored in the registry: a tar layer (unpacked) or a raw blob. */
export interface Blob {
  /** Where it came from: `<manifest digest> <blob digest>`. */
  readonly origin: string;
  readonly files: readonly LayerFile[];
}

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

/** PAX extended header records ("<len> key=value\n"); only `path` matters here. */
function paxPath(data: Buffer): string | undefined {
  for (const record of data.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * The regular files of a tar archive (ustar, PAX and GNU long names), in archive order. Layers are
 * plain tar streams, so this small reader is all the tests need; anything else is an error.
 */
export function tarFiles(tar: Buffer): LayerFile[] {
  const files: LayerFile[] = [];
  let offset = 0;
  let nextPath: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size)) throw new Error(`bad tar header at ${offset}`);
    const type = String.fromCharCode(header[156] ?? 0);
    const start = offset + BLOCK;
    const data = tar.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      nextPath = paxPath(data) ?? nextPath;
      continue;
    }
    if (type === 'L') {
      nextPath = field(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const path = nextPath ?? (prefix ? `${prefix}/${name}` : name);
    nextPath = undefined;
    if (type === '0' || type === '\0' || type === '7') files.push({ path, content: data });
  }
  return files;
}

function unpack(mediaType: string, blob: Buffer): Buffer {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.gzip')) return gunzipSync(blob);
  if (mediaType.endsWith('+zstd') || mediaType.endsWith('.zstd')) return zstdDecompressSync(blob);
  return blob;
}

const isTar = (mediaType: string): boolean => /tar/.test(mediaType);

/**
 * Every blob of one manifest (its config and each layer), unpacked: tar layers as their files,
 * anything else (configs, in-toto attestations, signature payloads) as one file named after it.
 */
export async function manifestBlobs(repository: string, manifest: Manifest, digest: string): Promise<Blob[]> {
  const descriptors = [...(manifest.config ? [manifest.config] : []), ...(manifest.layers ?? [])];
  const blobs: Blob[] = [];
  for (const descriptor of descriptors) {
    const raw = await fetchBlob(`${repository}@${digest}`, descriptor.digest);
    const content = unpack(descriptor.mediaType, raw);
    const files = isTar(descriptor.mediaType) ? tarFiles(content) : [{ path: descriptor.mediaType, content }];
    blobs.push({ origin: `${digest} ${descriptor.digest}`, files });
  }
  return blobs;
}

/** `registry/repository` of a `registry/repository:tag` or `...@digest` reference. */
export const repositoryOf = (reference: string): string =>
  reference.replace(/(@sha256:[0-9a-f]+|:[^:/]+)$/, '');

/**
 * The manifests behind a tag: for an index, each of its entries (platform images and attestation
 * manifests); a single manifest stands for itself.
 */
export async function manifestsOf(reference: string): Promise<{ digest: string; manifest: Manifest }[]> {
  const top = await fetchManifest(reference);
  if (top.manifests === undefined) {
    const digest = await manifestDigest(reference);
    if (digest === undefined) throw new Error(`${reference}: no such manifest`);
    return [{ digest, manifest: top }];
  }
  const entries = [];
  for (const entry of top.manifests as readonly ManifestDescriptor[]) {
    entries.push({
      digest: entry.digest,
      manifest: await fetchManifest(`${repositoryOf(reference)}@${entry.digest}`),
    });
  }
  return entries;
}
