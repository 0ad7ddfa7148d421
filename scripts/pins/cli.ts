// The pins' commands (scripts/pins/main.ts is the command line, bundled to dist/pins/main.mjs):
//   generate   write docker-bake.json from lab/versions.env and images/bases.lock
//   check      fail when docker-bake.json is not what generate would write, or a base is unlocked
//   outdated   print every pin next to the newest release; exit 1 when Node, the Debian base or
//              the RIC is behind, 2 when a registry could not be asked
//   bump       rewrite the pins that are behind (--all: the toolchain's too), then regenerate
//   lock       resolve every base image tag to its digest now, rewrite images/bases.lock, regenerate
//   verify     check, and every locked digest is in the registry (before a build: a clear message
//              instead of BuildKit's "not found" when a base was rebuilt or the lock is stale)
// Endpoints: PINS_NPM_REGISTRY, PINS_GOPROXY, PINS_PYPI, PINS_DEBIAN_MIRROR, PINS_IMAGES_REGISTRY.
// --root <dir> points at another checkout (tests).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderBakeFile } from './bake-file.js';
import { baseImages } from './bases.js';
import { bump } from './bump.js';
import { parsePins, requirePin } from './env-file.js';
import { parseLock, renderLock } from './lock-file.js';
import { exitStatus, formatRows, outdated } from './outdated.js';
import { type Endpoints, ImageNotFound, imageDigest } from './registries.js';

const files = (root: string) => ({
  versionsEnv: join(root, 'lab/versions.env'),
  lock: join(root, 'images/bases.lock'),
  bake: join(root, 'docker-bake.json'),
  packageJson: join(root, 'package.json'),
});

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Writes only when the bytes differ, so an up-to-date checkout is left untouched (idempotent). */
function writeIfChanged(path: string, text: string): boolean {
  if (readOptional(path) === text) return false;
  writeFileSync(path, text);
  return true;
}

function endpoints(pins: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): Endpoints {
  const goproxy = (env.PINS_GOPROXY ?? env.GOPROXY ?? '').split(/[,|]/)[0] ?? '';
  return {
    npm: env.PINS_NPM_REGISTRY ?? env.npm_config_registry ?? 'https://registry.npmjs.org',
    goproxy: goproxy.startsWith('http') ? goproxy : 'https://proxy.golang.org',
    pypi: env.PINS_PYPI ?? 'https://pypi.org',
    debian: env.PINS_DEBIAN_MIRROR ?? requirePin(pins, 'DEBIAN_MIRROR'),
    images: env.PINS_IMAGES_REGISTRY ?? requirePin(pins, 'REGISTRY_ADDR'),
  };
}

function generate(root: string): boolean {
  const paths = files(root);
  const pins = parsePins(readFileSync(paths.versionsEnv, 'utf8'));
  const lock = parseLock(readOptional(paths.lock));
  return writeIfChanged(paths.bake, renderBakeFile(pins, lock));
}

function check(root: string): number {
  const paths = files(root);
  const pins = parsePins(readFileSync(paths.versionsEnv, 'utf8'));
  const lock = parseLock(readOptional(paths.lock));
  let status = 0;
  if (readOptional(paths.bake) !== renderBakeFile(pins, lock)) {
    console.error(
      'docker-bake.json is not generated from lab/versions.env and images/bases.lock: run `make pins`',
    );
    status = 1;
  }
  for (const base of baseImages(pins)) {
    if (!lock.has(base.reference)) {
      console.error(`${base.reference} is not in images/bases.lock: run \`make lock\` (or \`make bump\`)`);
      status = 1;
    }
  }
  return status;
}

async function verify(root: string, env: NodeJS.ProcessEnv): Promise<number> {
  const status = check(root);
  if (status !== 0) return status;
  const paths = files(root);
  const pins = parsePins(readFileSync(paths.versionsEnv, 'utf8'));
  const where = endpoints(pins, env);
  const lock = parseLock(readOptional(paths.lock));
  const registry = where.images === '' ? 'Docker Hub' : where.images;
  let failed = 0;
  for (const base of baseImages(pins)) {
    const locked = lock.get(base.reference) ?? '';
    try {
      await imageDigest(where, base.repository, locked);
    } catch (error) {
      if (!(error instanceof ImageNotFound)) {
        console.error(
          `cannot ask ${registry} about ${base.reference}: ${error instanceof Error ? error.message : String(error)}.\n` +
            '  Outside the lab, check against Docker Hub: PINS_IMAGES_REGISTRY= make images (docs/images.md).',
        );
        failed = 1;
        continue;
      }
      const now = await imageDigest(where, base.repository, base.tag).catch(() => 'nothing');
      console.error(
        [
          `${base.reference}@${locked} is not in ${registry}; the tag now points at ${now}.`,
          '  The lock is older than what the registry serves (in the lab: the stand-in was rebuilt from newer',
          '  Debian packages). Run `make lock` (or `make bump`) and commit images/bases.lock (docs/images.md).',
        ].join('\n'),
      );
      failed = 1;
    }
  }
  if (failed === 0) console.log(`pins: every base image is in ${registry} at its locked digest`);
  return failed;
}

async function lock(root: string, env: NodeJS.ProcessEnv): Promise<number> {
  const paths = files(root);
  const pins = parsePins(readFileSync(paths.versionsEnv, 'utf8'));
  const where = endpoints(pins, env);
  const previous = parseLock(readOptional(paths.lock));
  const next = new Map<string, string>();
  for (const base of baseImages(pins)) {
    const digest = await imageDigest(where, base.repository, base.tag);
    if (previous.get(base.reference) !== digest)
      console.log(`lock ${base.reference}: ${previous.get(base.reference) ?? '(new)'} -> ${digest}`);
    next.set(base.reference, digest);
  }
  writeIfChanged(paths.lock, renderLock(next));
  generate(root);
  return 0;
}

async function inputsOf(root: string) {
  const paths = files(root);
  const pins = parsePins(readFileSync(paths.versionsEnv, 'utf8'));
  return {
    paths,
    pins,
    lock: parseLock(readOptional(paths.lock)),
    packageJson: JSON.parse(readFileSync(paths.packageJson, 'utf8')) as Record<string, never>,
  };
}

/** Runs one command; returns the exit status. env supplies the endpoints (PINS_*). */
export async function runPins(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const rootIndex = argv.indexOf('--root');
  const root = rootIndex >= 0 ? (argv[rootIndex + 1] ?? '.') : process.cwd();
  const command = argv.find((arg, index) => !arg.startsWith('--') && argv[index - 1] !== '--root');
  switch (command) {
    case 'generate':
      console.log(
        generate(root) ? 'pins: docker-bake.json regenerated' : 'pins: docker-bake.json up to date',
      );
      return 0;
    case 'check':
      return check(root);
    case 'lock':
      return lock(root, env);
    case 'verify':
      return verify(root, env);
    case 'outdated': {
      const { pins, lock, packageJson } = await inputsOf(root);
      const rows = await outdated({ pins, lock, packageJson }, endpoints(pins, env));
      console.log(formatRows(rows));
      return exitStatus(rows);
    }
    case 'bump': {
      const { paths, pins, lock, packageJson } = await inputsOf(root);
      const where = endpoints(pins, env);
      const rows = await outdated({ pins, lock, packageJson }, where);
      const failed = rows.filter((row) => row.error !== undefined);
      if (failed.length > 0) {
        for (const row of failed) console.error(`bump: cannot ask about ${row.name}: ${row.error}`);
        return 2;
      }
      const sources = {
        versionsEnv: readFileSync(paths.versionsEnv, 'utf8'),
        packageJson: readFileSync(paths.packageJson, 'utf8'),
      };
      const result = await bump(rows, sources, where, argv.includes('--all'));
      writeIfChanged(paths.versionsEnv, result.sources.versionsEnv);
      writeIfChanged(paths.packageJson, result.sources.packageJson);
      if (result.npmPackages.length > 0) {
        // package-lock.json follows package.json through npm itself (no install scripts, no node_modules change).
        execFileSync(
          'npm',
          [
            'install',
            '--package-lock-only',
            '--ignore-scripts',
            '--no-audit',
            '--no-fund',
            '--save-exact',
            ...result.npmPackages,
          ],
          {
            cwd: root,
            stdio: 'inherit',
          },
        );
      }
      generate(root);
      for (const change of result.changes) console.log(`bump ${change}`);
      for (const skipped of result.skipped) console.log(`bump skipped ${skipped}`);
      if (result.changes.length === 0) console.log('bump: every pin it updates is current');
      return 0;
    }
    default:
      console.error('usage: pins generate|check|verify|outdated|bump [--all]|lock [--root <dir>]');
      return 2;
  }
}
