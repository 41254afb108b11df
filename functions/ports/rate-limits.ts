/** What one counted request found: the hits in its window so far (its own included), and when the window ends. */
export interface RateLimitHit {
  readonly count: number;
  /** ISO time the window ends: the earliest time a refused caller may try again. */
  readonly resetsAt: string;
}

/**
 * Fixed-window request counters (the public endpoints' per-address and per-client limits). Keys
 * are opaque (the core hashes addresses); a window's counter is gone once the window ended.
 */
export interface RateLimits {
  /** Counts one request on `key` in the window of `windowSeconds` that holds `at`, atomically. */
  hit(key: string, windowSeconds: number, at: string): Promise<RateLimitHit>;
}

/** The window of `windowSeconds` that holds `atMs`: its index and the ISO time it ends. */
export function windowOf(atMs: number, windowSeconds: number): { readonly index: number; readonly resetsAt: string } {
  const index = Math.floor(atMs / (windowSeconds * 1000));
  return { index, resetsAt: new Date((index + 1) * windowSeconds * 1000).toISOString() };
}
