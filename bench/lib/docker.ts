/** docker and registry helpers for the image sections; every call is bounded in time. */
import { runCommand } from '../../test/helpers/command.js';

export const REGISTRY = process.env.BENCH_REGISTRY ?? '127.0.0.1:5000';
/** Our base images' repository (BENCH_BASE_REPOSITORY: e.g. a branch's own `REPOSITORY=… make images`). */
export const BASE_REPOSITORY = process.env.BENCH_BASE_REPOSITORY ?? 'lambda-nodejs';

/** Runs docker; resolves with its stdout (with `withStderr`, stdout then stderr: `docker logs` splits them). */
export async function docker(
  args: readonly string[],
  timeoutMs: number,
  withStderr = false,
): Promise<string> {
  const { stdout, stderr } = await runCommand('docker', args, { timeoutMs });
  return withStderr ? `${stdout.toString()}${stderr}` : stdout.toString();
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Manifest {
  readonly manifests?: ReadonlyArray<{ digest: string; platform?: { os: string; architecture: string } }>;
  readonly layers?: ReadonlyArray<{ size: number }>;
}

async function manifest(repository: string, reference: string): Promise<Manifest | undefined> {
  const response = await fetch(`http://${REGISTRY}/v2/${repository}/manifests/${reference}`, {
    headers: { Accept: MANIFEST_TYPES },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${REGISTRY}/${repository}:${reference}: HTTP ${response.status}`);
  return (await response.json()) as Manifest;
}

export async function imageExists(repository: string, tag: string): Promise<boolean> {
  return (await manifest(repository, tag)) !== undefined;
}

/** Compressed size (sum of layer sizes in the registry manifest) per architecture, in bytes. */
export async function compressedSizes(repository: string, tag: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const top = await manifest(repository, tag);
  if (top === undefined) return sizes;
  const layersSize = (m: Manifest): number => (m.layers ?? []).reduce((sum, layer) => sum + layer.size, 0);
  if (top.manifests === undefined) {
    sizes.set('single', layersSize(top));
    return sizes;
  }
  for (const entry of top.manifests) {
    if (entry.platform === undefined || entry.platform.architecture === 'unknown') continue;
    const platformManifest = await manifest(repository, entry.digest);
    if (platformManifest !== undefined) sizes.set(entry.platform.architecture, layersSize(platformManifest));
  }
  return sizes;
}

export const machineArch = (): string => (process.arch === 'x64' ? 'amd64' : process.arch);
