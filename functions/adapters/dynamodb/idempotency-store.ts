import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyState, IdempotencyStore } from '#ports/idempotency-store';
import { keys, SingleTable, type SingleTableOptions } from './table.ts';

export type DynamoDbIdempotencyStoreOptions = SingleTableOptions;

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * Idempotency keys: `IDEMPOTENCY#<key>` / `IDEMPOTENCY` with the request's fingerprint and, once done,
 * its response. A record expires `ttlSeconds` after its request began (and TTL then deletes it).
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  private readonly table: SingleTable;

  constructor(options: DynamoDbIdempotencyStoreOptions) {
    this.table = new SingleTable(options);
  }

  async begin(key: string, fingerprint: string, at: string, ttlSeconds: number): Promise<IdempotencyState> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = await this.table.conditional(
        () =>
          this.table.client.send(
            new PutCommand({
              TableName: this.table.name,
              Item: { ...keys.idempotency(key), fingerprint, state: 'in-progress', createdAt: at, expiresAt: seconds(at) + ttlSeconds },
              // An expired record (TTL not yet applied) is free to reuse.
              ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
              ExpressionAttributeValues: { ':now': seconds(at) },
            }),
          ),
        'Starting an idempotent request',
      );
      if (started) return { state: 'new' };
      // Whether it expired was decided by `at` above, so the record is read as it is.
      const item = await this.table.get(keys.idempotency(key), 'Reading an idempotency key', false);
      if (item?.state === 'done') return { state: 'done', fingerprint: String(item.fingerprint), response: item.response as { status: number; body: unknown } };
      if (item) return { state: 'in-progress', fingerprint: String(item.fingerprint) };
      // Abandoned in between: try again.
    }
    throw new Error(`Idempotency key ${key} kept changing while its request began.`);
  }

  async complete(key: string, response: { status: number; body: unknown }): Promise<void> {
    await this.table.conditional(
      () =>
        this.table.client.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: keys.idempotency(key),
            UpdateExpression: 'SET #state = :done, #response = :response',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
            ExpressionAttributeValues: { ':done': 'done', ':response': response },
          }),
        ),
      'Completing an idempotent request',
    );
  }

  async abandon(key: string): Promise<void> {
    await this.table.conditional(
      () =>
        this.table.client.send(
          new DeleteCommand({
            TableName: this.table.name,
            Key: keys.idempotency(key),
            ConditionExpression: '#state = :progress',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':progress': 'in-progress' },
          }),
        ),
      'Releasing an idempotency key',
    );
  }
}
