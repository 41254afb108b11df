import { createHash } from 'node:crypto';
import type { Context } from './context.ts';
import { canonicalJson } from './duplicates.ts';
import { ConcurrentUpdateError, IdempotencyConflictError } from './errors.ts';

/** How long a key's answer is kept: a repeat within it gets the first answer. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * How long a request holds its key while it runs: longer than the HTTP function may run (its 29 s
 * timeout, lib/assent-stack.ts), so once it has passed the request that began the key is dead, and
 * a retry takes the key over instead of waiting out the 24 h.
 */
export const IDEMPOTENCY_LEASE_SECONDS = 30;
/** The `Retry-After` of a repeat while its key is held: the first request is likely done by then (or, once its lease passed, dead). */
const IN_PROGRESS_RETRY_SECONDS = 2;

/**
 * Runs `create` once per key: a repeat with the same body gets the first answer; a different body
 * with the same key is refused (422); a repeat while the first is running gets 409. `create` gets
 * the id reserved for what it creates and whether it takes over a request that died mid-way
 * (`takenOver`: that one reserved the same id, and may have created it already).
 */
export async function idempotent(
  ctx: Context,
  key: string,
  body: unknown,
  create: (reservedId: string, takenOver: boolean) => Promise<{ status: number; body: unknown }>,
): Promise<{ status: number; body: unknown; replayed: boolean }> {
  const fingerprint = createHash('sha256').update(canonicalJson(body)).digest('hex');
  const state = await ctx.deps.idempotency.begin(key, fingerprint, ctx.now(), IDEMPOTENCY_TTL_SECONDS, {
    leaseSeconds: IDEMPOTENCY_LEASE_SECONDS,
    reservedId: ctx.deps.newId(),
  });
  if (state.state !== 'new') {
    if (state.fingerprint !== fingerprint) {
      throw new IdempotencyConflictError('This Idempotency-Key was used with a different request body. Use a new key for a new request.');
    }
    if (state.state === 'in-progress') {
      throw new ConcurrentUpdateError('A request with this Idempotency-Key is still being handled; retry in a moment.', { retryAfterSeconds: IN_PROGRESS_RETRY_SECONDS });
    }
    return { ...state.response, replayed: true };
  }
  try {
    const response = await create(state.reservedId, state.takenOver === true);
    await ctx.deps.idempotency.complete(key, response);
    return { ...response, replayed: false };
  } catch (error) {
    await ctx.deps.idempotency.abandon(key).catch((e: unknown) => ctx.onInternalError('Could not release an idempotency key', e));
    throw error;
  }
}
