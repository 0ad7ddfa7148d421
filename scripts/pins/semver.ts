// Ordering of release versions (1.2.3, v1.2.3, Go pseudo-versions, PyPI's 1.2): numeric parts
// compared one by one; anything after a '-' or a letter marks a pre-release.

/** True for plain releases: digits and dots only (after an optional leading v). */
export function isStable(version: string): boolean {
  return /^v?\d+(\.\d+)*$/.test(version);
}

function parts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split(/[.-]/)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN))
    .map((part) => (Number.isNaN(part) ? -1 : part));
}

export function compareVersions(a: string, b: string): number {
  const left = parts(a);
  const right = parts(b);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.localeCompare(b);
}
