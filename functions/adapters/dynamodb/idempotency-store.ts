import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyBeginOptions, IdempotencyState, IdempotencyStore } from '#ports/idempotency-store';
import { keys, SingleTable, type SingleTableOptions } from './table.ts';

export type DynamoDbIdempotencyStoreOptions = SingleTableOptions;

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * Idempotency keys: `IDEMPOTENCY#<key>` / `IDEMPOTENCY` with the request's fingerprint, the id it
 * reserved, its lease (`leaseUntil`, epoch milliseconds) and, once done, its response. A record
 * expires `ttlSeconds` after its request began (and TTL then deletes it). A takeover is an update
 * conditional on the lease it read, so of two takers at once exactly one wins. A record written
 * before leases (no `leaseUntil` or `reservedId`) is never taken over: it stays in progress until
 * it expires, since nothing tells what its request created.
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  private readonly table: SingleTable;

  constructor(options: DynamoDbIdempotencyStoreOptions) {
    this.table = new SingleTable(options);
  }

  async begin(key: string, fingerprint: string, at: string, ttlSeconds: number, options: IdempotencyBeginOptions): Promise<IdempotencyState> {
    const { leaseSeconds, reservedId } = options;
    const leaseUntil = Date.parse(at) + leaseSeconds * 1000;
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = await this.table.conditional(
        () =>
          this.table.client.send(
            new PutCommand({
              TableName: this.table.name,
              Item: { ...keys.idempotency(key), fingerprint, state: 'in-progress', reservedId, leaseUntil, createdAt: at, expiresAt: seconds(at) + ttlSeconds },
              // An expired record (TTL not yet applied) is free to reuse.
              ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
              ExpressionAttributeValues: { ':now': seconds(at) },
            }),
          ),
        'Starting an idempotent request',
      );
      if (started) return { state: 'new', reservedId };
      // Whether it expired was decided by `at` above, so the record is read as it is.
      const item = await this.table.get(keys.idempotency(key), 'Reading an idempotency key', false);
      if (item?.state === 'done') return { state: 'done', fingerprint: String(item.fingerprint), response: item.response as { status: number; body: unknown } };
      if (!item) continue; // Abandoned in between: try again.
      const lease = item.leaseUntil;
      const reserved = item.reservedId;
      const takeable = item.fingerprint === fingerprint && typeof lease === 'number' && lease <= Date.parse(at) && typeof reserved === 'string';
      if (!takeable) return { state: 'in-progress', fingerprint: String(item.fingerprint) };
      if (await this.takeOver(key, fingerprint, lease, reserved, at, leaseUntil)) return { state: 'new', reservedId: reserved, takenOver: true };
      // Another request took it over (or it changed) since it was read: read it again.
    }
    throw new Error(`Idempotency key ${key} kept changing while its request began.`);
  }

  /** Takes over an in-progress record whose lease `read` passed: false when it is no longer that record. */
  private takeOver(key: string, fingerprint: string, read: number, reservedId: string, at: string, leaseUntil: number): Promise<boolean> {
    return this.table.conditional(
      () =>
        this.table.client.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: keys.idempotency(key),
            UpdateExpression: 'SET leaseUntil = :lease, takenOverAt = :at',
            ConditionExpression: '#state = :progress AND fingerprint = :fingerprint AND reservedId = :reserved AND leaseUntil = :read',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':lease': leaseUntil, ':at': at, ':progress': 'in-progress', ':fingerprint': fingerprint, ':reserved': reservedId, ':read': read },
          }),
        ),
      'Taking over an idempotent request',
    );
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
