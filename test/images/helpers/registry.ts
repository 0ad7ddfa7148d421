/** Reads manifests straight from a registry over the Registry HTTP API (no client-side conversion). */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface ManifestDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly platform?: { readonly os: string; readonly architecture: string };
  readonly annotations?: Record<string, string>;
}

export interface Manifest {
  readonly mediaType: string;
  readonly manifests?: readonly ManifestDescriptor[];
  readonly config?: { readonly mediaType: string; readonly digest: string };
  readonly layers?: readonly { readonly mediaType: string; readonly size: number; readonly digest: string }[];
}

function splitReference(reference: string): { host: string; repository: string; tag: string } {
  const slash = reference.indexOf('/');
  const at = reference.indexOf('@');
  if (at > slash && slash > 0) {
    return {
      host: reference.slice(0, slash),
      repository: reference.slice(slash + 1, at),
      tag: reference.slice(at + 1),
    };
  }
  const colon = reference.lastIndexOf(':');
  if (slash < 0 || colon < slash) throw new Error(`not a registry/repository:tag reference: ${reference}`);
  return {
    host: reference.slice(0, slash),
    repository: reference.slice(slash + 1, colon),
    tag: reference.slice(colon + 1),
  };
}

async function getJson(url: string, accept: string): Promise<{ contentType: string; body: unknown }> {
  const response = await fetch(url, { headers: { Accept: accept }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return { contentType: response.headers.get('content-type') ?? '', body: await response.json() };
}

/** The manifest or index a tag (or digest) points to, with the media type the registry serves. */
export async function fetchManifest(reference: string): Promise<Manifest> {
  const { host, repository, tag } = splitReference(reference);
  const { contentType, body } = await getJson(
    `http://${host}/v2/${repository}/manifests/${tag}`,
    MANIFEST_TYPES.join(', '),
  );
  const manifest = body as Manifest;
  return { ...manifest, mediaType: manifest.mediaType ?? contentType };
}

/** The image config (architecture, os, entrypoint, env...) of a single-platform manifest. */
export async function fetchImageConfig(
  reference: string,
  manifest: Manifest,
): Promise<{
  architecture: string;
  os: string;
  config: { Entrypoint?: string[]; Env?: string[]; WorkingDir?: string };
}> {
  const { host, repository } = splitReference(reference);
  if (manifest.config === undefined) throw new Error(`${reference} has no config`);
  const { body } = await getJson(`http://${host}/v2/${repository}/blobs/${manifest.config.digest}`, '*/*');
  return body as Awaited<ReturnType<typeof fetchImageConfig>>;
}

export const compressedSize = (manifest: Manifest): number =>
  (manifest.layers ?? []).reduce((total, layer) => total + layer.size, 0);

/** The digest a tag points to (manifest or index), or undefined when the tag does not exist. */
export async function manifestDigest(reference: string): Promise<string | undefined> {
  const { host, repository, tag } = splitReference(reference);
  const head = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Accept: MANIFEST_TYPES.join(', ') },
    signal: AbortSignal.timeout(10_000),
  });
  const digest = head.headers.get('docker-content-digest');
  return head.ok && digest !== null ? digest : undefined;
}

/**
 * Deletes what a tag points to (manifest or index), so test runs do not pile up in the lab's
 * registry. Blobs stay until the registry's garbage collection; a missing tag is not an error.
 */
export async function deleteImage(reference: string): Promise<void> {
  const { host, repository } = splitReference(reference);
  const digest = await manifestDigest(reference);
  if (digest === undefined) return;
  const deleted = await fetch(`http://${host}/v2/${repository}/manifests/${digest}`, {
    method: 'DELETE',
    signal: AbortSignal.timeout(10_000),
  });
  if (!deleted.ok && deleted.status !== 404) throw new Error(`DELETE ${reference}: ${deleted.status}`);
}

/** One blob (e.g. a layer) of `reference`'s repository, as raw bytes. */
export async function fetchBlob(reference: string, digest: string): Promise<Buffer> {
  const { host, repository } = splitReference(reference);
  const response = await fetch(`http://${host}/v2/${repository}/blobs/${digest}`, {
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`GET blob ${digest} of ${reference}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
