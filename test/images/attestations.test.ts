import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  countsByType,
  type Provenance,
  provenancesOf,
  purlsOf,
  type SpdxDocument,
  sbomsOf,
} from './helpers/attestations.js';
import { fetchImageConfig, fetchManifest, manifestDigest } from './helpers/registry.js';
import { baseImage, extensionImage, pinned, settings } from './helpers/settings.js';

// What `make images` attached to each image, read the way docs/images.md tells users to: an SPDX
// SBOM that names every kind of software in the image (Debian packages, Node.js, npm packages of
// the extension and of the runtime client, the RIE's Go modules), and max-mode SLSA provenance that
// names the bases by digest. (Functions built FROM these images carry none of it and deploy:
// function-image.test.ts.)
const root = fileURLToPath(new URL('../..', import.meta.url));
const rootPackage = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
};
const RUNTIME_CLIENT = 'aws-lambda-ric';
const lock = JSON.parse(readFileSync(`${root}/package-lock.json`, 'utf8')) as {
  packages: Record<string, { version: string }>;
};
/** What aws-lambda-ric's index.mjs inlines (its own pinned copy, nested under it in the lockfile). */
const RUNTIME_CLIENT_INLINED = '@aws/lambda-invoke-store';
const inlinedVersion =
  lock.packages[`node_modules/${RUNTIME_CLIENT}/node_modules/${RUNTIME_CLIENT_INLINED}`]?.version;
/** The extension's own npm dependencies (exact pins in package.json), all inlined into its bundle. */
const extensionDependencies = Object.entries(rootPackage.dependencies).filter(
  ([name]) => name !== RUNTIME_CLIENT,
);
const npmPurl = (name: string, version: string): string =>
  `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${version}`;

function summary(reference: string, arch: string, document: SpdxDocument): string {
  const counts = Object.entries(countsByType(document))
    .sort()
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  return `${reference} ${arch}: SBOM of ${document.packages.length} packages (${counts})`;
}

function expectExtensionPackages(purls: string[]): void {
  expect(purls).toContain(npmPurl(rootPackage.name, rootPackage.version));
  for (const [name, version] of extensionDependencies) expect(purls, name).toContain(npmPurl(name, version));
}

describe.each(settings.nodeMajors)('lambda-nodejs:%s attestations', (major) => {
  const reference = baseImage(major);
  let sbomFor: (arch: string) => SpdxDocument | undefined;
  let provenanceFor: (arch: string) => Provenance | undefined;

  beforeAll(async () => {
    [sbomFor, provenanceFor] = await Promise.all([sbomsOf(reference), provenancesOf(reference)]);
  });

  it.each(settings.architectures)('%s: the SBOM lists Debian, Node.js, npm and Go packages', async (arch) => {
    const document = sbomFor(arch);
    expect(document?.spdxVersion).toMatch(/^SPDX-2\./);
    if (document === undefined) return;
    console.info(summary(reference, arch, document));
    const purls = purlsOf(document);
    // Debian: the base's packages, with the C library among them.
    expect(countsByType(document).deb).toBeGreaterThan(50);
    expect(purls.some((purl) => purl.startsWith('pkg:deb/debian/libc6@'))).toBe(true);
    // Node.js itself, at the version the image's own NODE_VERSION says.
    const index = await fetchManifest(reference);
    const entry = index.manifests?.find((candidate) => candidate.platform?.architecture === arch);
    const child = `${reference.slice(0, reference.lastIndexOf(':'))}@${entry?.digest}`;
    const { config } = await fetchImageConfig(child, await fetchManifest(child));
    const nodeVersion = (config.Env ?? [])
      .find((variable) => variable.startsWith('NODE_VERSION='))
      ?.slice(13);
    expect(nodeVersion).toMatch(new RegExp(`^${major}\\.`));
    expect(purls).toContain(`pkg:generic/node@${nodeVersion}`);
    // npm packages: npm, the runtime client and what it inlines, the extension and all bundled into it.
    expect(purls.some((purl) => purl.startsWith('pkg:npm/npm@'))).toBe(true);
    expect(purls).toContain(npmPurl(RUNTIME_CLIENT, rootPackage.dependencies[RUNTIME_CLIENT] ?? '?'));
    expect(purls).toContain(npmPurl(RUNTIME_CLIENT_INLINED, inlinedVersion ?? '?'));
    expectExtensionPackages(purls);
    // Go: the RIE's module at its pinned version, its dependencies and the Go it was built with.
    expect(purls).toContain(
      `pkg:golang/github.com/aws/aws-lambda-runtime-interface-emulator@${pinned('RIE_VERSION')}`,
    );
    expect(purls).toContain(`pkg:golang/stdlib@${pinned('GO_VERSION')}`);
    expect(countsByType(document).golang).toBeGreaterThan(2);
  });

  it.each(settings.architectures)(
    '%s: max-mode SLSA provenance names the base images by digest',
    async (arch) => {
      const provenance = provenanceFor(arch);
      expect(provenance?.buildDefinition.buildType).toMatch(/buildkit/);
      if (provenance === undefined) return;
      const { externalParameters, internalParameters, resolvedDependencies } = provenance.buildDefinition;
      expect(externalParameters.request.args['build-arg:NODE_MAJOR']).toBe(major);
      // mode=max: the whole build graph and the layers of every step are recorded.
      expect(internalParameters?.buildConfig).toBeDefined();
      expect(provenance.runDetails.metadata?.buildkit_metadata?.layers).toBeDefined();
      for (const base of ['node', 'golang']) {
        const dependency = resolvedDependencies.find((candidate) =>
          candidate.uri.startsWith(`pkg:docker/${base}@`),
        );
        expect(dependency?.digest.sha256, base).toMatch(/^[0-9a-f]{64}$/);
        // The recorded digest is one the (mirrored) registry really serves under that name.
        const served = await manifestDigest(
          `${settings.labRegistry}/library/${base}@sha256:${dependency?.digest.sha256}`,
        );
        expect(served, base).toBe(`sha256:${dependency?.digest.sha256}`);
      }
    },
  );
});

describe('lambda-nodejs-extension attestations', () => {
  it.each(settings.architectures)(
    '%s: the SBOM lists the extension and its bundled npm packages',
    async (arch) => {
      const reference = extensionImage();
      const [sbomFor, provenanceFor] = await Promise.all([sbomsOf(reference), provenancesOf(reference)]);
      const document = sbomFor(arch);
      expect(document?.spdxVersion).toMatch(/^SPDX-2\./);
      if (document === undefined) return;
      console.info(summary(reference, arch, document));
      expectExtensionPackages(purlsOf(document));
      expect(countsByType(document).deb).toBeUndefined();
      expect(provenanceFor(arch)?.buildDefinition.internalParameters?.buildConfig).toBeDefined();
    },
  );
});
