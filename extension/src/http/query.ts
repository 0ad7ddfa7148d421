/**
 * Query-string parsing with the rules of Go's net/url.ParseQuery, which AWS's extension (a Go program)
 * applies: pairs split on `&`, a pair containing `;` or a malformed escape is dropped, `+` is a space,
 * `%XX` is decoded, and `Get` returns the first value of a repeated key. Both `%2F` and a raw `/` work.
 */

export type QueryPairs = ReadonlyArray<readonly [key: string, value: string]>;

/** Decodes one component; undefined for a malformed escape or bytes that are not UTF-8 (pair dropped). */
export function unescapeComponent(raw: string): string | undefined {
  const hasPercent = raw.includes('%');
  const spaced = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!hasPercent) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/** All well-formed pairs in URL order (`search` without the leading `?`). */
export function parseQuery(search: string): QueryPairs {
  const pairs: Array<readonly [string, string]> = [];
  if (search === '') return pairs;
  for (const part of search.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const key = unescapeComponent(eq === -1 ? part : part.slice(0, eq));
    const value = unescapeComponent(eq === -1 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined) continue;
    pairs.push([key, value]);
  }
  return pairs;
}

/** First value of `key` (Go's Values.Get); undefined when absent. */
export function firstValue(pairs: QueryPairs, key: string): string | undefined {
  for (const [k, v] of pairs) if (k === key) return v;
  return undefined;
}

/** The first pair whose key is one of `keys`: "if both are given, the first in the URL wins". */
export function firstOf(pairs: QueryPairs, keys: readonly string[]): readonly [string, string] | undefined {
  for (const pair of pairs) if (keys.includes(pair[0])) return pair;
  return undefined;
}
