/** An answer kept under an `Idempotency-Key`: what the first request answered. */
export interface IdempotentAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** What a caller gives: the key, the request's body, and how long its invocation may still run. */
export interface IdempotentRequest {
  readonly key: string;
  readonly body: unknown;
  readonly remainingTimeMs: () => number;
}

/**
 * Runs a request once per key: a repeat with the same body gets the first answer (`replayed`);
 * another body with the same key is refused (`IdempotencyConflictError`); a repeat while the first is
 * running gets `ConcurrentUpdateError` with a `Retry-After`. A request that dies holds its key only
 * until its invocation's time is up; a failed `act` frees the key. The adapter is Powertools
 * Idempotency's (adapters/powertools/idempotency.ts), given only to the HTTP function, the one
 * that takes the header, so the other bundles stay without it.
 */
export interface Idempotency {
  run(request: IdempotentRequest, act: () => Promise<IdempotentAnswer>): Promise<IdempotentAnswer & { readonly replayed: boolean }>;
}
