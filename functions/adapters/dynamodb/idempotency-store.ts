import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { rethrowAws } from '../aws-errors.ts';
import { keys, type SingleTableOptions } from './table.ts';

export type DynamoDbIdempotencyStoreOptions = SingleTableOptions;

/**
 * Powertools Idempotency's DynamoDB persistence on the single table: a key's record is
 * `IDEMPOTENCY#<prefix>#<hash>` / `IDEMPOTENCY` (one partition per key, like every other item, not
 * Powertools' one static partition for all), and its expiry is the table's TTL attribute
 * `expiresAt`, so TTL deletes it and every store's liveness reads agree. Throttling and service
 * faults become `TransientError` (Powertools then wraps them; adapters/powertools/idempotency.ts unwraps them).
 */
export class DynamoDbIdempotencyStore extends DynamoDBPersistenceLayer {
  constructor(options: DynamoDbIdempotencyStoreOptions) {
    super({
      tableName: options.tableName,
      awsSdkV3Client: options.client,
      keyAttr: 'pk',
      expiryAttr: 'expiresAt',
      inProgressExpiryAttr: 'inProgressUntil',
      statusAttr: 'state',
      dataAttr: 'response',
      validationKeyAttr: 'fingerprint',
    });
  }

  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    return marshall(keys.idempotency(idempotencyKey));
  }

  protected override _putRecord(record: IdempotencyRecord): Promise<void> {
    return translated(() => super._putRecord(record), 'Starting an idempotent request');
  }

  protected override async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = await translated(() => super._getRecord(idempotencyKey), 'Reading an idempotency key');
    // Powertools reads the key back from `pk`, which holds it with the table's prefix.
    record.idempotencyKey = idempotencyKey;
    return record;
  }

  protected override _updateRecord(record: IdempotencyRecord): Promise<void> {
    return translated(() => super._updateRecord(record), 'Completing an idempotent request');
  }

  protected override _deleteRecord(record: IdempotencyRecord): Promise<void> {
    return translated(() => super._deleteRecord(record), 'Releasing an idempotency key');
  }
}

async function translated<T>(send: () => Promise<T>, what: string): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof IdempotencyItemAlreadyExistsError || error instanceof IdempotencyItemNotFoundError) throw error;
    rethrowAws(error, what);
  }
}
