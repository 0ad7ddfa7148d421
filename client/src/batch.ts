/**
 * What the three batch reads share: the list rules the extension enforces (checked here first, so a
 * mistake is a TypeError naming the item, not a 400 after a round trip), lists longer than the
 * extension's 50 items sent as several requests in parallel, and per-item failures as data.
 */

/** The extension's limit per request (docs/extension.md, Batch reads). */
export const MAX_BATCH_ITEMS = 50;

/** An item of a batch read that failed: AWS's code (or the extension's) and message. */
export interface BatchItemError {
  /** The name or secret id, as asked. */
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

/** The items once each, in the order first given; throws on an item the extension would refuse. */
export function batchItems(items: readonly string[], what: string): string[] {
  if (!Array.isArray(items)) throw new TypeError(`${what}: give an array`);
  const unique = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'string' || item === '')
      throw new TypeError(`${what}: every item must be a non-empty string`);
    // The list travels as one comma-separated parameter; neither SSM names nor secret ids hold commas.
    if (item.includes(',')) throw new TypeError(`${what}: ${JSON.stringify(item)} contains a comma`);
    unique.add(item);
  }
  return [...unique];
}

/** Runs `read` on slices of at most MAX_BATCH_ITEMS, in parallel; the answers in order. */
export function inBatches<T>(items: readonly string[], read: (slice: string[]) => Promise<T>): Promise<T[]> {
  const reads: Promise<T>[] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH_ITEMS)
    reads.push(read(items.slice(i, i + MAX_BATCH_ITEMS)));
  return Promise.all(reads);
}

/** AWS's error items (`ErrorCode`, `Message` and `Name` or `SecretId`) as the client's. */
export function itemErrors(
  errors:
    | readonly { ErrorCode?: unknown; Message?: unknown; Name?: unknown; SecretId?: unknown }[]
    | undefined,
): BatchItemError[] {
  return (errors ?? []).map((e) => ({
    id: String(e.Name ?? e.SecretId ?? ''),
    code: String(e.ErrorCode ?? ''),
    message: String(e.Message ?? ''),
  }));
}

/** A record without a prototype: names such as `__proto__` are plain keys. */
export const valuesRecord = (): Record<string, string> => Object.create(null) as Record<string, string>;
