/**
 * Loads something once, on first use: concurrent callers share one load, and a failed load is forgotten
 * so that the next call tries again (a sandbox lives for hours; one bad moment must not stick).
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
