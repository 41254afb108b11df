import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SecretRecord, SecretStore } from '#ports/secret-store';
import { INDEXES, type Item, keys, SingleTable, type SingleTableOptions, stripKeys } from './table.ts';

export type DynamoDbSecretStoreOptions = SingleTableOptions;

/** Secrets are kept this long after they stop working, so a late click still gets a clear answer. */
export const SECRET_RETENTION_SECONDS = 30 * 24 * 3600;

/** How many expired secrets are deleted at once. */
const DELETE_CONCURRENCY = 25;

const toSecret = (item: Item): SecretRecord => {
  const { expiresAt: _expiresAt, ...secret } = stripKeys(item);
  return secret as unknown as SecretRecord;
};

/**
 * One-time secrets (user tokens, approval links) by hash: `SECRET#<hash>` / `SECRET`, listed per kind
 * through byCreated (`SECRETS#<kind>`). A secret stops working by its `validUntil`, its use, or when
 * its task moves on from its `round` (which the engine checks: nothing here is revoked).
 */
export class DynamoDbSecretStore implements SecretStore {
  private readonly table: SingleTable;

  constructor(options: DynamoDbSecretStoreOptions) {
    this.table = new SingleTable(options);
  }

  async put(secret: SecretRecord): Promise<void> {
    const item = {
      ...keys.secret(secret.hash),
      ...secret,
      gsi3pk: `SECRETS#${secret.kind}`,
      gsi3sk: `${secret.createdAt}#${secret.hash}`,
      expiresAt: Math.floor(Date.parse(secret.validUntil) / 1000) + SECRET_RETENTION_SECONDS,
    };
    const stored = await this.table.conditional(
      () => this.table.client.send(new PutCommand({ TableName: this.table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
      'Storing a secret',
    );
    if (!stored) throw new Error('A secret with this hash is already stored: secrets are random, so the caller reused one.');
  }

  async get(hash: string): Promise<SecretRecord | undefined> {
    const item = await this.table.get(keys.secret(hash), 'Reading a secret');
    return item ? toSecret(item) : undefined;
  }

  async list(kind: SecretRecord['kind'], limit: number, cursor?: string): Promise<{ items: SecretRecord[]; cursor?: string }> {
    const page = await this.table.queryPage({
      input: {
        TableName: this.table.name,
        IndexName: INDEXES.byCreated.name,
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': `SECRETS#${kind}` },
        ScanIndexForward: false,
      },
      index: INDEXES.byCreated,
      limit,
      ...(cursor === undefined ? {} : { cursor }),
      what: 'Listing secrets',
    });
    return { items: page.items.map(toSecret), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  async deleteExpired(kind: SecretRecord['kind'], before: string): Promise<number> {
    let deleted = 0;
    const pages = this.table.pages(
      { TableName: this.table.name, IndexName: INDEXES.byCreated.name, KeyConditionExpression: 'gsi3pk = :pk', ExpressionAttributeValues: { ':pk': `SECRETS#${kind}` } },
      'Finding expired secrets',
    );
    for await (const entries of pages) {
      // validUntil is not in the index: read the items (expired by TTL or not), delete those past `before`.
      const items = await this.table.getMany(entries.map((entry) => ({ pk: String(entry.pk), sk: String(entry.sk) })), 'Reading secrets', false);
      const expired = items.filter((item) => typeof item.validUntil === 'string' && item.validUntil <= before);
      for (let start = 0; start < expired.length; start += DELETE_CONCURRENCY) {
        const results = await Promise.all(expired.slice(start, start + DELETE_CONCURRENCY).map((item) => this.deleteIfExpired(String(item.hash), before)));
        deleted += results.filter(Boolean).length;
      }
    }
    return deleted;
  }

  private deleteIfExpired(hash: string, before: string): Promise<boolean> {
    return this.table.conditional(
      () =>
        this.table.client.send(
          new DeleteCommand({
            TableName: this.table.name,
            Key: keys.secret(hash),
            ConditionExpression: 'validUntil <= :before',
            ExpressionAttributeValues: { ':before': before },
          }),
        ),
      'Deleting an expired secret',
    );
  }
}
