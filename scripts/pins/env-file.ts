// lab/versions.env: KEY=VALUE lines (shell syntax, no quoting needed), comments kept as written.

/** The pins of a versions.env text, in file order. */
export function parsePins(text: string): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) pins.set(match[1], match[2]);
  }
  return pins;
}

/** The text with one pin's value replaced; every other byte is kept (comments, order). */
export function setPin(text: string, key: string, value: string): string {
  const pattern = new RegExp(`^${key}=.*$`, 'm');
  if (!pattern.test(text)) throw new Error(`lab/versions.env has no ${key}`);
  return text.replace(pattern, `${key}=${value}`);
}

/** A pin that must be there; names the file and the key when it is not. */
export function requirePin(pins: ReadonlyMap<string, string>, key: string): string {
  const value = pins.get(key);
  if (value === undefined || value === '') throw new Error(`lab/versions.env has no ${key}`);
  return value;
}

/** NODE_MAJORS (comma-separated) as a list. */
export function nodeMajors(pins: ReadonlyMap<string, string>): string[] {
  return requirePin(pins, 'NODE_MAJORS')
    .split(',')
    .map((major) => major.trim())
    .filter((major) => major !== '');
}
