import { createHash } from 'node:crypto';
import type { Context } from './context.ts';
import { canonicalJson } from './duplicates.ts';
import { ConcurrentUpdateError, IdempotencyConflictError } from './errors.ts';

/**
 * Runs `create` once per key: a repeat with the same body gets the first answer; a different body
 * with the same key is refused (422); a repeat while the first is running gets 409.
 */
export async function idempotent(
  ctx: Context,
  key: string,
  body: unknown,
  create: () => Promise<{ status: number; body: unknown }>,
): Promise<{ status: number; body: unknown; replayed: boolean }> {
  const fingerprint = createHash('sha256').update(canonicalJson(body)).digest('hex');
  const state = await ctx.deps.idempotency.begin(key, fingerprint, ctx.now(), 24 * 3600);
  if (state.state !== 'new') {
    if (state.fingerprint !== fingerprint) {
      throw new IdempotencyConflictError('This Idempotency-Key was used with a different request body. Use a new key for a new request.');
    }
    if (state.state === 'in-progress') {
      throw new ConcurrentUpdateError('A request with this Idempotency-Key is still being handled; retry in a moment.');
    }
    return { ...state.response, replayed: true };
  }
  try {
    const response = await create();
    await ctx.deps.idempotency.complete(key, response);
    return { ...response, replayed: false };
  } catch (error) {
    await ctx.deps.idempotency.abandon(key).catch((e: unknown) => ctx.onInternalError('Could not release an idempotency key', e));
    throw error;
  }
}
