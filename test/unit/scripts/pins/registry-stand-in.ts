// A local stand-in for the registries `make outdated` asks (npm, the Go module proxy, PyPI, a Debian
// mirror, an image registry), answering from a table the test controls. Loopback only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RegistryAnswers {
  /** npm package -> versions (the last one is `latest`). */
  npm: Record<string, string[]>;
  /** Go module -> tagged versions (@v/list); for the RIE, the @latest pseudo-version. */
  go: Record<string, string[]>;
  goLatest: Record<string, string>;
  pypi: Record<string, string>;
  /** Go toolchain zips (file name -> content), for the SHA-256 a Go bump records. */
  goZips?: Record<string, string>;
  debianStable: string;
  /** `<repository>:<tag>` -> digest served for it (and the digest itself is then servable). */
  images: Record<string, string>;
}

export interface StandIn {
  readonly env: Record<string, string>;
  /** Every request path seen, for asserting what was asked. */
  readonly requests: string[];
  close(): Promise<void>;
}

function answer(
  answers: RegistryAnswers,
  method: string,
  path: string,
): { status: number; body?: string; headers?: Record<string, string> } {
  let match = /^\/npm\/(.+)$/.exec(path);
  if (match?.[1]) {
    const versions = answers.npm[decodeURIComponent(match[1])];
    if (!versions) return { status: 404 };
    const body = {
      'dist-tags': { latest: versions.at(-1) },
      versions: Object.fromEntries(versions.map((v) => [v, {}])),
    };
    return { status: 200, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  }
  match = /^\/go\/golang\.org\/toolchain\/@v\/(v0\.0\.1-go[^/]+\.zip)$/.exec(path);
  if (match?.[1]) {
    const zip = answers.goZips?.[match[1]];
    return zip === undefined ? { status: 404 } : { status: 200, body: zip };
  }
  match = /^\/go\/(.+)\/@v\/list$/.exec(path);
  if (match?.[1]) {
    const versions = answers.go[match[1]];
    return versions ? { status: 200, body: `${versions.join('\n')}\n` } : { status: 404 };
  }
  match = /^\/go\/(.+)\/@latest$/.exec(path);
  if (match?.[1]) {
    const version = answers.goLatest[match[1]];
    return version ? { status: 200, body: JSON.stringify({ Version: version }) } : { status: 404 };
  }
  match = /^\/pypi\/pypi\/([^/]+)\/json$/.exec(path);
  if (match?.[1]) {
    const version = answers.pypi[match[1]];
    return version ? { status: 200, body: JSON.stringify({ info: { version } }) } : { status: 404 };
  }
  if (path === '/debian/dists/stable/Release') {
    return { status: 200, body: `Origin: Debian\nSuite: stable\nCodename: ${answers.debianStable}\n` };
  }
  match = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(path);
  if (match?.[1] && match[2] && method === 'HEAD') {
    const [repository, reference] = [match[1], match[2]];
    const digest = reference.startsWith('sha256:')
      ? Object.entries(answers.images).find(
          ([key, value]) => key.startsWith(`${repository}:`) && value === reference,
        )?.[1]
      : answers.images[`${repository}:${reference}`];
    return digest ? { status: 200, headers: { 'docker-content-digest': digest } } : { status: 404 };
  }
  return { status: 404 };
}

export async function startStandIn(answers: RegistryAnswers): Promise<StandIn> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    requests.push(path);
    const { status, body, headers } = answer(answers, request.method ?? 'GET', path);
    response.writeHead(status, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    env: {
      PINS_NPM_REGISTRY: `${base}/npm`,
      PINS_GOPROXY: `${base}/go`,
      PINS_PYPI: `${base}/pypi`,
      PINS_DEBIAN_MIRROR: `${base}/debian`,
      PINS_IMAGES_REGISTRY: `127.0.0.1:${port}`,
    },
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
