/** What an `Idempotency-Key` maps to: the request's fingerprint and, once done, its answer. */
export type IdempotencyState =
  | { readonly state: 'new' }
  | { readonly state: 'in-progress'; readonly fingerprint: string }
  | { readonly state: 'done'; readonly fingerprint: string; readonly response: { status: number; body: unknown } };

export interface IdempotencyStore {
  /**
   * Starts an idempotent request, or tells what a previous one with the same key did. A record
   * older than `ttlSeconds` (expired, not yet deleted by TTL) counts as absent.
   */
  begin(key: string, fingerprint: string, at: string, ttlSeconds: number): Promise<IdempotencyState>;
  complete(key: string, response: { status: number; body: unknown }): Promise<void>;
  /** Forgets an in-progress key whose request failed, so it can be retried. */
  abandon(key: string): Promise<void>;
}
