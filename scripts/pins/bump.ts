// `make bump`: rewrite the pins that are behind. The lock file is rewritten by `lock` afterwards,
// once the new base tags exist (in the lab, after the stand-ins are built).
import { createHash } from 'node:crypto';
import { setPin } from './env-file.js';
import { isBehind, type Row } from './outdated.js';
import { download, type Endpoints, goToolchainZipUrl } from './registries.js';

export interface Sources {
  versionsEnv: string;
  packageJson: string;
}

export interface BumpResult {
  readonly sources: Sources;
  /** "name: old -> new" for every change, in row order. */
  readonly changes: string[];
  /** npm packages whose package.json pin changed (package-lock.json must follow: npm install). */
  readonly npmPackages: string[];
  /** Rows that are behind but left alone, with the reason. */
  readonly skipped: string[];
}

/** Pins that are not bumped automatically, and why (they are still reported by `outdated`). */
const MANUAL: Record<string, string> = {
  MOTO_VERSION: 'lab/moto-constraints.txt must be re-frozen with it (docs/images.md)',
  DEBIAN_SUITE: 'a new Debian release is a deliberate change (docs/images.md)',
};

function replacePackageVersion(text: string, name: string, version: string): string {
  const pattern = new RegExp(`("${name.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&')}":\\s*")[^"]*(")`, 'g');
  if (!pattern.test(text)) throw new Error(`package.json has no dependency ${name}`);
  return text.replace(pattern, `$1${version}$2`);
}

async function sha256Of(url: string): Promise<string> {
  return createHash('sha256')
    .update(await download(url))
    .digest('hex');
}

/**
 * Applies every row that is behind and is shipped (or every one, with all), to the source texts.
 * Base digests are not applied here: `lock` re-resolves them from the (possibly new) tags.
 */
export async function bump(
  rows: readonly Row[],
  sources: Sources,
  endpoints: Endpoints,
  all: boolean,
): Promise<BumpResult> {
  let { versionsEnv, packageJson } = sources;
  const changes: string[] = [];
  const npmPackages: string[] = [];
  const skipped: string[] = [];
  for (const row of rows) {
    if (!isBehind(row) || row.newest === undefined || row.location.file === 'bases.lock') continue;
    if (!row.shipped && !all) {
      const kind = row.location.file === 'package.json' ? 'npm dependency, needs the tests' : 'toolchain pin';
      skipped.push(`${row.name} ${row.pinned} -> ${row.newest}: ${kind} (make bump BUMP_ALL=1)`);
      continue;
    }
    if (row.location.file === 'versions.env') {
      const reason = MANUAL[row.location.key];
      if (reason !== undefined) {
        skipped.push(`${row.name} ${row.pinned} -> ${row.newest}: by hand, ${reason}`);
        continue;
      }
      versionsEnv = setPin(versionsEnv, row.location.key, row.newest);
      if (row.location.key === 'GO_VERSION') {
        for (const arch of ['amd64', 'arm64']) {
          const sum = await sha256Of(goToolchainZipUrl(endpoints, row.newest, arch));
          versionsEnv = setPin(versionsEnv, `GO_TOOLCHAIN_SHA256_${arch.toUpperCase()}`, sum);
        }
      }
    } else {
      packageJson = replacePackageVersion(packageJson, row.location.name, row.newest);
      npmPackages.push(`${row.location.name}@${row.newest}`);
    }
    changes.push(`${row.name}: ${row.pinned} -> ${row.newest}`);
  }
  return { sources: { versionsEnv, packageJson }, changes, npmPackages, skipped };
}
