// images/bases.lock: one `<reference> <digest>` line per base image of images/Dockerfile.

export const LOCK_HEADER = [
  '# The base images of images/Dockerfile, each tag resolved to the digest of its multi-platform index.',
  '# Builds use these digests (docker-bake.json), so a tag moving upstream changes nothing until this',
  '# file does. Written by `make lock` / `make bump`; do not edit by hand (docs/images.md).',
];

export function parseLock(text: string): Map<string, string> {
  const lock = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s+(sha256:[0-9a-f]{64})$/.exec(line);
    if (!match?.[1] || !match[2])
      throw new Error(`images/bases.lock line ${index + 1}: expected "<reference> sha256:<64 hex>"`);
    lock.set(match[1], match[2]);
  }
  return lock;
}

/** Sorted by reference, so the same set of digests always gives the same bytes. */
export function renderLock(lock: ReadonlyMap<string, string>): string {
  const lines = [...lock.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ref, digest]) => `${ref} ${digest}`);
  return `${[...LOCK_HEADER, ...lines].join('\n')}\n`;
}
