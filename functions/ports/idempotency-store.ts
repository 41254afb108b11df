/**
 * What an `Idempotency-Key` maps to: the request's fingerprint and, once done, its answer. A `new`
 * key comes with the id reserved for what its request creates: the one `begin` was given, or, when
 * a request whose lease passed is taken over (`takenOver`), the id that request reserved, so the
 * retry finds what the first one may have created instead of creating it again.
 */
export type IdempotencyState =
  | { readonly state: 'new'; readonly reservedId: string; readonly takenOver?: true }
  | { readonly state: 'in-progress'; readonly fingerprint: string }
  | { readonly state: 'done'; readonly fingerprint: string; readonly response: { status: number; body: unknown } };

export interface IdempotencyBeginOptions {
  /**
   * How long the request that begins (or takes over) the key holds it, from `at`: past it, the next
   * `begin` with the same fingerprint takes the key over (the request died mid-way). Longer than the
   * request can run, so a live request is never taken over.
   */
  readonly leaseSeconds: number;
  /** The id a fresh key reserves for what its request creates. */
  readonly reservedId: string;
}

export interface IdempotencyStore {
  /**
   * Starts an idempotent request, or tells what a previous one with the same key did. A record
   * older than `ttlSeconds` (expired, not yet deleted by TTL) counts as absent. An in-progress
   * record whose lease has passed is taken over by a request with its fingerprint (exactly one of
   * several at once; the others get in-progress): `new` with the record's reserved id and
   * `takenOver`. Another fingerprint gets in-progress with the record's, lease or not.
   */
  begin(key: string, fingerprint: string, at: string, ttlSeconds: number, options: IdempotencyBeginOptions): Promise<IdempotencyState>;
  complete(key: string, response: { status: number; body: unknown }): Promise<void>;
  /** Forgets an in-progress key whose request failed, so it can be retried. */
  abandon(key: string): Promise<void>;
}
