import { runCommand } from '../../helpers/command.js';
import { settings } from './settings.js';

export interface BuildOptions {
  readonly context: string;
  readonly dockerfile: string;
  readonly platforms: readonly string[];
  readonly tag: string;
  readonly buildArgs?: Record<string, string>;
  /** Named contexts: `FROM <name>` / `COPY --from=<name>` resolve to these (e.g. docker-image://...). */
  readonly buildContexts?: Record<string, string>;
}

/**
 * Builds with the lab's builder and pushes, as docs/guide.md tells function authors to:
 * no provenance, no SBOM, so a single platform gives a plain image manifest that Lambda accepts.
 */
export async function buildAndPush(options: BuildOptions): Promise<void> {
  const args = ['buildx', 'build', '--builder', settings.builder, '--progress', 'plain'];
  args.push('--platform', options.platforms.join(','), '--provenance=false', '--sbom=false');
  args.push('--file', options.dockerfile, '--tag', options.tag, '--push');
  for (const [key, value] of Object.entries(options.buildArgs ?? {}))
    args.push('--build-arg', `${key}=${value}`);
  for (const [key, value] of Object.entries(options.buildContexts ?? {}))
    args.push('--build-context', `${key}=${value}`);
  args.push(options.context);
  await runCommand('docker', args, { timeoutMs: 600_000 });
}
