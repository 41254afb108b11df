import { createHash } from 'node:crypto';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { Context } from './context.ts';
import { canonicalJson } from './duplicates.ts';
import { ConcurrentUpdateError, IdempotencyConflictError } from './errors.ts';

/** How long a key's answer is kept: a repeat within it gets the first answer. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** The records' key prefix: fixed, so renaming the function does not forget its keys. */
const KEY_PREFIX = 'create-task';
/** The `Retry-After` of a repeat while its key is held: the first request is likely done by then. */
const IN_PROGRESS_RETRY_SECONDS = 2;

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
 * Runs `create` once per key, with Powertools Idempotency: a repeat with the same body gets the first
 * answer (`replayed`); another body with the same key is refused (422); a repeat while the first is
 * running gets 409 with `Retry-After`. A request that dies holds its key only until its invocation's
 * time is up (the in-progress record expires then); a retry after that runs `create` again with the
 * same id (`idFor`: the key's and the body's), so it finds what the first one created, if anything,
 * instead of creating it twice. A failed `create` frees the key.
 */
export async function idempotent(ctx: Context, request: IdempotentRequest, create: (id: string) => Promise<IdempotentAnswer>): Promise<IdempotentAnswer & { replayed: boolean }> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'body',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    hashFunction: 'sha256',
    responseHook: (response) => ({ ...(response as object), replayed: true }),
  });
  // A context of its own per request: its remaining time is this invocation's (Powertools reads no more of it).
  config.registerLambdaContext({ getRemainingTimeInMillis: request.remainingTimeMs } as unknown as Parameters<IdempotencyConfig['registerLambdaContext']>[0]);
  const run = makeIdempotent(
    async ({ key, body }: { key: string; body: unknown }) => {
      const answer = await create(idFor(key, body));
      return { status: answer.status, body: answer.body, replayed: false };
    },
    { persistenceStore: ctx.deps.idempotency, config, keyPrefix: KEY_PREFIX },
  );
  try {
    return (await run({ key: request.key, body: request.body })) as IdempotentAnswer & { replayed: boolean };
  } catch (error) {
    throw assentErrorOf(error);
  }
}

/** Powertools' errors as the API answers them; a fault of the store as the store raised it (e.g. a TransientError). */
function assentErrorOf(error: unknown): unknown {
  if (error instanceof IdempotencyValidationError) {
    return new IdempotencyConflictError('This Idempotency-Key was used with a different request body. Use a new key for a new request.');
  }
  if (error instanceof IdempotencyAlreadyInProgressError || error instanceof IdempotencyInconsistentStateError) {
    return new ConcurrentUpdateError('A request with this Idempotency-Key is still being handled; retry in a moment.', { retryAfterSeconds: IN_PROGRESS_RETRY_SECONDS });
  }
  if (error instanceof IdempotencyPersistenceLayerError && error.cause !== undefined) return error.cause;
  return error;
}

/** Crockford's base32, the alphabet of task ids. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The task id a key and body reserve: 26 characters of a SHA-256 of both, in the shape of a ULID
 * (the first character at most `7`), so every run of the same request creates or finds the same task.
 * Unlike a ULID it does not tell when the task was created (ids are opaque; `createdAt` does).
 */
export function idFor(key: string, body: unknown): string {
  const digest = createHash('sha256').update(`${key}\n${canonicalJson(body)}`).digest();
  let bits = 0n;
  // 128 bits: 3 for the first character, 5 for each of the other 25.
  for (const byte of digest.subarray(0, 16)) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let index = 0; index < 26; index++) {
    id = ALPHABET[Number(bits & 31n)] + id;
    bits >>= 5n;
  }
  return id;
}
