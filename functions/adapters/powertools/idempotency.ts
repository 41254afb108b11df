import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { ConcurrentUpdateError, IdempotencyConflictError } from '#core/errors';
import type { Idempotency, IdempotentAnswer, IdempotentRequest } from '#ports/idempotency';
import type { IdempotencyStore } from '#ports/idempotency-store';
import { DynamoDbIdempotencyStore } from '../dynamodb/idempotency-store.ts';
import type { SingleTableOptions } from '../dynamodb/table.ts';

/** How long a key's answer is kept: a repeat within it gets the first answer. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** The records' key prefix: fixed, so renaming the function does not forget its keys. */
const KEY_PREFIX = 'create-task';
/** The `Retry-After` of a repeat while its key is held: the first request is likely done by then. */
const IN_PROGRESS_RETRY_SECONDS = 2;

/**
 * The Idempotency port on Powertools Idempotency over a persistence layer (the single table's, or
 * the tests' in-memory one): the key is the request's `key`, the payload it validates its `body`
 * (SHA-256), records kept 24 h, and an in-progress record expires with the invocation's remaining
 * time. Powertools' errors become the API's.
 */
export class PowertoolsIdempotency implements Idempotency {
  constructor(private readonly store: IdempotencyStore) {}

  async run(request: IdempotentRequest, act: () => Promise<IdempotentAnswer>): Promise<IdempotentAnswer & { replayed: boolean }> {
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
    const once = makeIdempotent(
      async (_payload: { key: string; body: unknown }) => {
        const answer = await act();
        return { status: answer.status, body: answer.body, replayed: false };
      },
      { persistenceStore: this.store, config, keyPrefix: KEY_PREFIX },
    );
    try {
      return (await once({ key: request.key, body: request.body })) as IdempotentAnswer & { replayed: boolean };
    } catch (error) {
      throw assentErrorOf(error);
    }
  }
}

/** The HTTP function's: Powertools Idempotency with its records on the single table. */
export const dynamoDbIdempotency = (table: SingleTableOptions): Idempotency => new PowertoolsIdempotency(new DynamoDbIdempotencyStore(table));

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
