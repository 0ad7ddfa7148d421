import { fileURLToPath } from 'node:url';
import { runCommand } from '../../helpers/command.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

export interface BakeTarget {
  readonly platforms?: string[];
  readonly attest?: { type: string; disabled?: boolean | string; mode?: string; generator?: string }[];
  readonly args?: Record<string, string>;
  readonly tags?: string[];
  readonly target?: string;
  readonly output?: Record<string, string>[];
}

/** `docker buildx bake --print` of the repository's bake file, with only the given variables set. */
export async function bakePrint(environment: Record<string, string> = {}): Promise<{
  group: Record<string, { targets: string[] }>;
  target: Record<string, BakeTarget>;
}> {
  // The bake file's own defaults unless a test sets a variable: drop any inherited from the caller.
  const inherited = [
    'REGISTRY',
    'REPOSITORY',
    'TAG',
    'NODE_MAJORS',
    'PLATFORMS',
    'CACERT',
    'DEBIAN_SUITE',
    'SOURCE_DATE_EPOCH',
    'GO_VERSION',
    'RIE_VERSION',
    'SBOM_GENERATOR',
  ].flatMap((key) => ['-u', key]);
  const variables = Object.entries(environment).map(([key, value]) => `${key}=${value}`);
  const command = ['-C', root, ...inherited, ...variables, 'docker', 'buildx', 'bake', '--print'];
  const { stdout } = await runCommand('env', command, { timeoutMs: 60_000 });
  return JSON.parse(stdout.toString());
}
