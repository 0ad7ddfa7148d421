import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The lab's pins, read from lab/versions.env (KEY=VALUE lines), so tests check what the lab promises.
const versionsFile = fileURLToPath(new URL('../../../lab/versions.env', import.meta.url));

function parseEnvFile(text: string): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) pins.set(match[1], match[2]);
  }
  return pins;
}

const pins = parseEnvFile(readFileSync(versionsFile, 'utf8'));

export function pin(name: string): string {
  const value = pins.get(name);
  if (value === undefined || value === '') throw new Error(`lab/versions.env has no ${name}`);
  return value;
}
