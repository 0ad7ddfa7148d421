/**
 * Cache keys: every qualifier of a read (service, name, selector, decryption). NUL cannot occur in a
 * decoded AWS name, so it separates the fields safely.
 */

export function parameterKey(name: string, withDecryption: boolean): string {
  return `ssm\u0000${withDecryption ? '1' : '0'}\u0000${name}`;
}

export function secretKey(
  secretId: string,
  versionId: string | undefined,
  versionStage: string | undefined,
): string {
  return `sm\u0000${secretId}\u0000${versionId ?? ''}\u0000${versionStage ?? ''}`;
}

/** A by-path answer as a whole (its items are cached under their own parameterKey as well). */
export function pathKey(path: string, recursive: boolean, withDecryption: boolean): string {
  return `ssm-path\u0000${recursive ? '1' : '0'}\u0000${withDecryption ? '1' : '0'}\u0000${path}`;
}
