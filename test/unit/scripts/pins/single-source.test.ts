import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBakeFile } from '../../../../scripts/pins/bake-file.js';
import { baseImages } from '../../../../scripts/pins/bases.js';
import { parsePins } from '../../../../scripts/pins/env-file.js';
import { parseLock } from '../../../../scripts/pins/lock-file.js';

// Every version has exactly one home: lab/versions.env for the project's pins, package.json for
// npm packages. A copy anywhere else (a Dockerfile ARG default, the bake file, a doc, a test) is
// how pins drift apart, so any copy fails here, naming the file.
const repo = new URL('../../../../', import.meta.url).pathname;
const versionsText = readFileSync(join(repo, 'lab/versions.env'), 'utf8');
const pins = parsePins(versionsText);
const packageJson = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Files generated from the pins (lock files and docker-bake.json) may repeat them. */
const GENERATED = new Set([
  'docker-bake.json',
  'images/bases.lock',
  'package-lock.json',
  'lab/moto-constraints.txt',
]);

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
  cwd: repo,
  encoding: 'utf8',
})
  .split('\0')
  .filter((file) => file !== '' && !GENERATED.has(file))
  .filter((file) => !/\.(png|jpg|ico|gz|tgz)$/.test(file));
const texts = new Map<string, string>();
for (const file of files) {
  try {
    texts.set(file, readFileSync(join(repo, file), 'utf8'));
  } catch {
    // deleted in the working tree but still in the index
  }
}

/** Occurrences of value as a whole token (not inside a longer version or hex string). */
function count(text: string, value: string): number {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...text.matchAll(new RegExp(`(?<![0-9A-Za-z.])${escaped}(?![0-9A-Za-z]|\\.[0-9])`, 'g'))].length;
}

/** Versions and checksums: the *_VERSION pins, checksums and the reproducibility epoch. */
const versionPins = [...pins.entries()].filter(([key]) => /_VERSION$|_SHA256_|SOURCE_DATE_EPOCH/.test(key));
const npmPins = Object.entries({ ...packageJson.devDependencies, ...packageJson.dependencies });

describe('one place for every pin', () => {
  it('finds the pins it checks (the scan is not empty)', () => {
    expect(versionPins.map(([key]) => key)).toEqual(
      expect.arrayContaining([
        'NODE22_VERSION',
        'NODE26_VERSION',
        'GO_VERSION',
        'RIE_VERSION',
        'GO_TOOLCHAIN_SHA256_AMD64',
      ]),
    );
    expect(npmPins.map(([name]) => name)).toContain('aws-lambda-ric');
    expect(texts.size).toBeGreaterThan(50);
  });

  it.each(versionPins)('%s appears once in lab/versions.env and nowhere else', (key, value) => {
    const copies = [...texts]
      .filter(([file, text]) => file !== 'lab/versions.env' && count(text, value) > 0)
      .map(([file]) => file);
    expect(copies, `${key}=${value} is repeated; read it from lab/versions.env instead`).toEqual([]);
    // Twice in the file is a copy too, except where two pins are equal by design (npm for Node 24 and 26).
    const sameValue = versionPins.filter(([, other]) => other === value).length;
    expect(count(versionsText, value)).toBe(sameValue);
  });

  it.each(npmPins)('npm %s is pinned in package.json only', (name, version) => {
    const copies = [...texts]
      .filter(([file, text]) => file !== 'package.json' && text.includes(name) && count(text, version) > 0)
      .filter(([, text]) =>
        new RegExp(`${name.replace(/[/@.-]/g, '\\$&')}[@ :"'=]+\\^?${version.replace(/\./g, '\\.')}`).test(
          text,
        ),
      )
      .map(([file]) => file);
    expect(copies, `${name} ${version} is repeated; package.json is its pin`).toEqual([]);
  });

  it('docker-bake.json is generated from the committed pins and lock (run `make pins` after editing them)', () => {
    const lock = parseLock(readFileSync(join(repo, 'images/bases.lock'), 'utf8'));
    expect(readFileSync(join(repo, 'docker-bake.json'), 'utf8')).toBe(renderBakeFile(pins, lock));
  });

  it('images/bases.lock locks every base image of the pinned configuration, and nothing else', () => {
    const lock = parseLock(readFileSync(join(repo, 'images/bases.lock'), 'utf8'));
    expect([...lock.keys()].sort()).toEqual(
      baseImages(pins)
        .map((base) => base.reference)
        .sort(),
    );
  });
});
