import { runCommand } from '../../helpers/command.js';

/** One package of an SPDX document, the fields the tests read. */
export interface SpdxPackage {
  readonly name: string;
  readonly versionInfo?: string;
  readonly externalRefs?: readonly { readonly referenceType: string; readonly referenceLocator: string }[];
}

export interface SpdxDocument {
  readonly spdxVersion: string;
  readonly creationInfo: { readonly creators: readonly string[] };
  readonly packages: readonly SpdxPackage[];
}

/** The SLSA v1 provenance predicate, the fields the tests read. */
export interface Provenance {
  readonly buildDefinition: {
    readonly buildType: string;
    readonly externalParameters: { readonly request: { readonly args: Record<string, string> } };
    readonly internalParameters?: { readonly buildConfig?: unknown };
    readonly resolvedDependencies: readonly {
      readonly uri: string;
      readonly digest: { readonly sha256: string };
    }[];
  };
  readonly runDetails: { readonly metadata?: { readonly buildkit_metadata?: { readonly layers?: unknown } } };
}

/**
 * `docker buildx imagetools inspect <reference> --format '{{json .<field>}}'`, as a user reads an
 * image's attestations: one entry per platform, keyed `linux/<arch>` (a single-platform image's
 * answer is the entry itself).
 */
async function inspect(reference: string, field: 'SBOM' | 'Provenance'): Promise<Record<string, unknown>> {
  const { stdout } = await runCommand(
    'docker',
    ['buildx', 'imagetools', 'inspect', reference, '--format', `{{json .${field}}}`],
    { timeoutMs: 120_000 },
  );
  const parsed = JSON.parse(stdout.toString()) as Record<string, unknown>;
  const perPlatform = Object.keys(parsed).every((key) => key.includes('/'));
  return perPlatform ? parsed : { single: parsed };
}

const entryFor = (all: Record<string, unknown>, arch: string): unknown => all[`linux/${arch}`] ?? all.single;

/** Each architecture's SPDX SBOM of an image (undefined where it has none). */
export async function sbomsOf(reference: string): Promise<(arch: string) => SpdxDocument | undefined> {
  const all = await inspect(reference, 'SBOM');
  return (arch) => (entryFor(all, arch) as { SPDX?: SpdxDocument } | undefined)?.SPDX;
}

/** Each architecture's SLSA provenance of an image (undefined where it has none). */
export async function provenancesOf(reference: string): Promise<(arch: string) => Provenance | undefined> {
  const all = await inspect(reference, 'Provenance');
  return (arch) => (entryFor(all, arch) as { SLSA?: Provenance } | undefined)?.SLSA;
}

/** The package URLs (pkg:deb/…, pkg:npm/…, pkg:golang/…, pkg:generic/…) an SBOM lists. */
export const purlsOf = (document: SpdxDocument): string[] =>
  document.packages.flatMap((pkg) =>
    (pkg.externalRefs ?? []).filter((ref) => ref.referenceType === 'purl').map((ref) => ref.referenceLocator),
  );

/** How many packages of each purl type (deb, npm, golang, generic) an SBOM lists. */
export function countsByType(document: SpdxDocument): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const purl of purlsOf(document)) {
    const type = /^pkg:([a-z]+)\//.exec(purl)?.[1] ?? 'other';
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}
