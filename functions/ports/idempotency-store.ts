import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';

/**
 * Where `Idempotency-Key` records live: a persistence layer of Powertools Idempotency, which keeps
 * per key the request's payload hash (a repeat with another body is refused), its status and, once
 * done, its answer; an in-progress record expires when the invocation that wrote it can no longer be
 * running (its Lambda context's remaining time), so a retry after a crash runs again instead of
 * waiting out the key's 24 h. The DynamoDB adapter and the in-memory fake both extend
 * Powertools' `BasePersistenceLayer`; `test/contract/idempotency-store.contract.ts` runs the same
 * cases on both.
 */
export type IdempotencyStore = BasePersistenceLayer;
