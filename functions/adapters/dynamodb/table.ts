import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { BadRequestError, TransientError } from '#core/errors';
import { awsErrorName, isConditionalCheckFailure, rethrowAws, sendConditional } from '../aws-errors.ts';
import { WRITE_STAMP } from './own-retries.ts';

/** One item of the single table, as the document client reads and writes it. */
export type Item = Record<string, unknown>;
export type Key = { readonly pk: string; readonly sk: string };

/** The items of each store, one partition per item. */
export const keys = {
  task: (id: string): Key => ({ pk: `TASK#${id}`, sk: 'TASK' }),
  secret: (hash: string): Key => ({ pk: `SECRET#${hash}`, sk: 'SECRET' }),
  duplicate: (key: string): Key => ({ pk: `DEDUP#${key}`, sk: 'DEDUP' }),
  idempotency: (key: string): Key => ({ pk: `IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' }),
  notification: (id: string): Key => ({ pk: `NOTIFICATION#${id}`, sk: 'NOTIFICATION' }),
  todo: (id: string): Key => ({ pk: `TODO#${id}`, sk: 'TODO' }),
  /** A rate limit's counter for one key and window (functions/adapters/dynamodb/rate-limit-store.ts). */
  rateLimit: (key: string): Key => ({ pk: `LIMIT#${key}`, sk: 'LIMIT' }),
  /** The last reconcile run's counts (functions/core/reconcile.ts): one item. */
  reconcile: (): Key => ({ pk: 'RECONCILE', sk: 'RECONCILE' }),
};

/** The indexes of lib/table-definition.ts (a unit test keeps the two equal). */
export const INDEXES = {
  byStatus: { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  byType: { name: 'byType', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  byCreated: { name: 'byCreated', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  byScope: { name: 'byScope', partitionKey: 'gsi4pk', sortKey: 'gsi3sk' },
} as const;
export type Index = (typeof INDEXES)[keyof typeof INDEXES];

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', WRITE_STAMP]);
/** The item without its table and index keys (and the write stamp of own-retries.ts). */
export const stripKeys = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name)));

export const CURSOR_REFUSED = 'The cursor is not one this API returned; start again without it.';
export const encodeCursor = (key: Item): string => Buffer.from(JSON.stringify(key)).toString('base64url');
/** The start key a cursor stands for; anything but a few short string attributes is refused. */
export function decodeCursor(cursor: string): Item {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const entries = Object.entries(parsed);
      if (entries.length > 0 && entries.length <= 6 && entries.every(([, value]) => typeof value === 'string' && value.length <= 1024)) return parsed as Item;
    }
  } catch {
    // refused below
  }
  throw new BadRequestError(CURSOR_REFUSED);
}

const keyId = (key: Item | Key) => `${String(key.pk)}\n${String(key.sk)}`;

/** BatchGetItem takes at most this many keys. */
const BATCH_SIZE = 100;
/** UnprocessedKeys are asked for again this many times (with backoff) before giving up as transient. */
const BATCH_ATTEMPTS = 6;
/** A page is filled from at most this many queries; past it a short page with a cursor is answered. */
const MAX_QUERIES_PER_PAGE = 20;

export interface PageQuery {
  /** The query, without Limit and ExclusiveStartKey. */
  readonly input: QueryCommandInput;
  readonly index: Index;
  readonly limit: number;
  readonly cursor?: string;
  /** Keeps only the (full) items it accepts, for conditions on attributes an index does not hold. */
  readonly keep?: (item: Item) => boolean;
  readonly what: string;
}

export type UpdateOutcome = { readonly applied: true; readonly item: Item } | { readonly applied: false; readonly item: Item | undefined };

export interface SingleTableOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The clock TTL-filtered reads compare `expiresAt` with. @default Date.now */
  readonly now?: () => number;
}

/**
 * The single table as every store uses it: consistent reads, TTL liveness (DynamoDB deletes expired
 * items late, DynamoDB Local never: they count as absent), pages with opaque cursors, and one
 * translation of SDK errors.
 */
export class SingleTable {
  readonly client: DynamoDBDocumentClient;
  readonly name: string;
  private readonly nowMs: () => number;

  constructor(options: SingleTableOptions) {
    this.client = options.client;
    this.name = options.tableName;
    this.nowMs = options.now ?? Date.now;
  }

  isLive(item: Item): boolean {
    return typeof item.expiresAt !== 'number' || item.expiresAt * 1000 > this.nowMs();
  }

  /** A condition that holds for a live item only, and its value (`:now`). */
  liveCondition(): { readonly expression: string; readonly values: { ':now': number } } {
    return { expression: 'attribute_exists(pk) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)', values: { ':now': this.nowMs() / 1000 } };
  }

  /** Sends a command; throttling and service faults become `TransientError`. */
  async send<T>(send: () => Promise<T>, what: string): Promise<T> {
    try {
      return await send();
    } catch (error) {
      rethrowAws(error, what);
    }
  }

  /** Sends a conditional write: false when its condition failed. */
  conditional(send: () => Promise<unknown>, what: string): Promise<boolean> {
    return sendConditional(send, what);
  }

  /** Consistent GetItem; an expired item counts as absent unless `live` is false. */
  async get(key: Key, what: string, live = true): Promise<Item | undefined> {
    const { Item } = await this.send(() => this.client.send(new GetCommand({ TableName: this.name, Key: key, ConsistentRead: true })), what);
    return Item && (!live || this.isLive(Item)) ? Item : undefined;
  }

  /** Consistent BatchGetItem, in the order of `keys` (duplicates read once); missing and expired items are left out unless `live` is false. */
  async getMany(wanted: readonly Key[], what: string, live = true): Promise<Item[]> {
    const found = await this.readMany(wanted, what);
    return [...found.values()].filter((item) => !live || this.isLive(item));
  }

  /** The items found, by `pk\nsk`, in the order of `wanted`. */
  private async readMany(wanted: readonly Key[], what: string): Promise<Map<string, Item>> {
    const unique = [...new Map(wanted.map((key) => [keyId(key), { pk: key.pk, sk: key.sk }])).values()];
    const chunks = Array.from({ length: Math.ceil(unique.length / BATCH_SIZE) }, (_, index) => unique.slice(index * BATCH_SIZE, (index + 1) * BATCH_SIZE));
    const found = new Map<string, Item>();
    for (const items of await Promise.all(chunks.map((chunk) => this.batchGet(chunk, what)))) {
      for (const item of items) found.set(keyId(item), item);
    }
    return new Map(unique.flatMap((key) => (found.has(keyId(key)) ? [[keyId(key), found.get(keyId(key)) as Item] as const] : [])));
  }

  private async batchGet(chunk: readonly Key[], what: string): Promise<Item[]> {
    const items: Item[] = [];
    let pending: Item[] = [...chunk];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_ATTEMPTS) throw new TransientError(`${what}: ${pending.length} keys stayed unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const keysNow = pending;
      const result = await this.send(
        () => this.client.send(new BatchGetCommand({ RequestItems: { [this.name]: { Keys: keysNow, ConsistentRead: true } } })),
        what,
      );
      items.push(...(result.Responses?.[this.name] ?? []));
      pending = result.UnprocessedKeys?.[this.name]?.Keys ?? [];
    }
    return items;
  }

  /**
   * One page of a query, in index order: reads the full items of the index entries (indexes hold only
   * keys and INDEX_ATTRIBUTES) and pages on until `limit` live, kept items are found. An entry whose
   * item has left the index partition since (the index lags the table) is skipped. The cursor is the
   * index key of the last item answered, and is absent when nothing follows it.
   */
  async queryPage(query: PageQuery): Promise<{ items: Item[]; cursor?: string }> {
    const { input, index, limit, cursor, keep = () => true, what } = query;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`${what}: limit must be a positive integer, not ${limit}.`);
    const found: { entry: Item; item: Item }[] = [];
    let startKey = cursor === undefined ? undefined : decodeCursor(cursor);
    for (let round = 0; round < MAX_QUERIES_PER_PAGE; round++) {
      const need = limit + 1 - found.length;
      // Filters thin pages out: read more entries per query then (extra ones are read again next page).
      const pageSize = input.FilterExpression || query.keep ? Math.max(need, 100) : need;
      const result = await this.query({ ...input, Limit: pageSize, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }, cursor, what);
      const entries = result.Items ?? [];
      while (entries.length > 0 && found.length <= limit) {
        const batch = entries.splice(0, limit + 1 - found.length);
        const items = await this.readMany(batch.map((entry) => ({ pk: String(entry.pk), sk: String(entry.sk) })), what);
        for (const entry of batch) {
          const item = items.get(keyId(entry));
          if (item && this.isLive(item) && item[index.partitionKey] === entry[index.partitionKey] && keep(item)) found.push({ entry, item });
        }
      }
      if (found.length > limit) {
        const last = (found[limit - 1] as { entry: Item }).entry;
        const key = { pk: last.pk, sk: last.sk, [index.partitionKey]: last[index.partitionKey], [index.sortKey]: last[index.sortKey] };
        return { items: found.slice(0, limit).map(({ item }) => item), cursor: encodeCursor(key) };
      }
      startKey = result.LastEvaluatedKey;
      if (!startKey) return { items: found.map(({ item }) => item) };
    }
    return { items: found.map(({ item }) => item), cursor: encodeCursor(startKey as Item) };
  }

  /** The pages of a query, each its index entries (keys and INDEX_ATTRIBUTES), until the last. */
  async *pages(input: QueryCommandInput, what: string): AsyncGenerator<Item[]> {
    let startKey: Item | undefined;
    do {
      const result = await this.query({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }, undefined, what);
      yield result.Items ?? [];
      startKey = result.LastEvaluatedKey;
    } while (startKey);
  }

  /** How many items a query matches (Select COUNT, all pages). */
  async count(input: QueryCommandInput, what: string): Promise<number> {
    let count = 0;
    let startKey: Item | undefined;
    do {
      const result = await this.query({ ...input, Select: 'COUNT', ...(startKey ? { ExclusiveStartKey: startKey } : {}) }, undefined, what);
      count += result.Count ?? 0;
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  private async query(input: QueryCommandInput, cursor: string | undefined, what: string) {
    try {
      return await this.client.send(new QueryCommand(input));
    } catch (error) {
      // DynamoDB refuses a start key that is not one of this query's (a cursor made up, or from another list).
      if (cursor !== undefined && awsErrorName(error) === 'ValidationException') throw new BadRequestError(CURSOR_REFUSED, { cause: error });
      rethrowAws(error, what);
    }
  }

  /**
   * UpdateItem answering the item as it now is, or, when a condition failed, as it is (what made the
   * condition fail; undefined when there is none, or it expired).
   */
  async update(input: Omit<UpdateCommandInput, 'ReturnValues' | 'ReturnValuesOnConditionCheckFailure'>, what: string): Promise<UpdateOutcome> {
    try {
      const { Attributes } = await this.client.send(new UpdateCommand({ ...input, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      return { applied: true, item: Attributes ?? {} };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) rethrowAws(error, what);
      // The document client does not unmarshall the item carried by the exception.
      const old = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
      const item = old ? unmarshall(old) : undefined;
      return { applied: false, item: item && this.isLive(item) ? item : undefined };
    }
  }
}
