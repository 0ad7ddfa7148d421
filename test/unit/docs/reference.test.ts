import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BY_PATH_PATH,
  METRICS_PATH,
  PARAMETER_PATH,
  PARAMETERS_PATH,
  PING_PATH,
  SECRET_PATH,
  SECRETS_PATH,
} from '../../../extension/src/http/target.js';

// The reference (docs/extension.md) must name everything the extension accepts: every environment
// variable it reads, every query parameter and every path. Collected from the sources, so a new
// variable or parameter without documentation fails here.
const reference = readFileSync('docs/extension.md', 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}
const code = sources('extension/src')
  .map((file) => readFileSync(file, 'utf8'))
  .join('\n');
const launcher = readFileSync('extension/bin/parameters-secrets-extension', 'utf8');

const ENV_NAME =
  /\b(?:PARAMETERS_SECRETS_EXTENSION_[A-Z_]+|SSM_PARAMETER_STORE_[A-Z_]+|SECRETS_MANAGER_[A-Z_]+|AWS_[A-Z_]+)\b/g;
const variables = [...new Set([...(code + launcher).matchAll(ENV_NAME)].map((m) => m[0]))];
const queryParameters = [
  ...new Set(
    [
      ...code.matchAll(
        /\b(?:required|optional|flag|list)\(pairs, '([A-Za-z]+)'|firstOf\(pairs, \[([^\]]+)\]\)/g,
      ),
    ].flatMap((m) =>
      m[1] !== undefined ? [m[1]] : [...(m[2] ?? '').matchAll(/'([A-Za-z]+)'/g)].map((q) => q[1] ?? ''),
    ),
  ),
];

describe('docs/extension.md', () => {
  it('documents every environment variable the extension and its launcher read', () => {
    expect(variables).toContain('SSM_PARAMETER_STORE_TTL');
    expect(variables).toContain('PARAMETERS_SECRETS_EXTENSION_NODE_OPTIONS');
    const missing = variables.filter((name) => !reference.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('documents every query parameter', () => {
    expect(queryParameters).toEqual(
      expect.arrayContaining([
        'name',
        'version',
        'label',
        'withDecryption',
        'secretId',
        'refreshNow',
        'names',
        'path',
        'recursive',
        'secretIds',
      ]),
    );
    const missing = queryParameters.filter((name) => !reference.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('documents every path', () => {
    for (const path of [
      PARAMETER_PATH,
      SECRET_PATH,
      PING_PATH,
      PARAMETERS_PATH,
      BY_PATH_PATH,
      SECRETS_PATH,
      METRICS_PATH,
    ])
      expect(reference, path).toContain(path);
  });
});
