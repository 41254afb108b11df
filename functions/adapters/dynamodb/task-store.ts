import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { BadRequestError, ConcurrentUpdateError } from '#core/errors';
import { type Notification, NotificationSchema } from '#core/notification';
import { type Task, TaskSchema, TaskStatusSchema, type TaskStatus } from '#core/task';
import type { IdempotencyState, Page, SaveCondition, SecretRecord, TaskQuery, TaskStore } from '#ports/task-store';
import { awsErrorName, isConditionalCheckFailure, rethrowAws, sendConditional } from '../aws-errors.ts';

/** Secrets are kept this long after they stop working, so a late click still gets a clear answer. */
const SECRET_RETENTION_SECONDS = 30 * 24 * 3600;
/** Operator notifications are kept this long. */
const NOTIFICATION_RETENTION_SECONDS = 90 * 24 * 3600;

export interface DynamoDbTaskStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The clock TTL-filtered reads compare `expiresAt` with. @default Date.now */
  readonly now?: () => number;
}

type Item = Record<string, unknown>;

const taskKey = (id: string) => ({ pk: `TASK#${id}`, sk: 'TASK' });
const secretKey = (hash: string) => ({ pk: `SECRET#${hash}`, sk: 'SECRET' });
const dedupKey = (key: string) => ({ pk: `DEDUP#${key}`, sk: 'DEDUP' });
const notificationKey = (id: string) => ({ pk: `NOTIFICATION#${id}`, sk: 'NOTIFICATION' });
const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' });
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'];

const strip = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([key]) => !KEY_ATTRIBUTES.includes(key)));

const taskItem = (task: Task): Item => ({
  ...taskKey(task.id),
  ...task,
  gsi1pk: `STATUS#${task.status}`,
  gsi1sk: `${task.createdAt}#${task.id}`,
  gsi2pk: `TYPE#${task.type}`,
  gsi2sk: `${task.createdAt}#${task.id}`,
  gsi3pk: 'TASKS',
  gsi3sk: `${task.createdAt}#${task.id}`,
});


const encodeCursor = (key: Item | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);
const decodeCursor = (cursor: string | undefined): Item | undefined => {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // A key this API returned: a few string attributes (table and index keys), nothing else.
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const entries = Object.entries(parsed);
      if (entries.length > 0 && entries.length <= 6 && entries.every(([, value]) => typeof value === 'string' && value.length <= 1024)) return parsed as Item;
    }
  } catch {
    // fall through
  }
  throw new BadRequestError('The cursor is not one this API returned; start again without it.');
};

/** Tasks, secrets, duplicate keys, notifications and idempotency keys in the single table; every write conditional. */
export class DynamoDbTaskStore implements TaskStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly nowMs: () => number;

  constructor(options: DynamoDbTaskStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.nowMs = options.now ?? Date.now;
  }

  /** DynamoDB deletes TTL-expired items late (DynamoDB Local never): reads treat them as gone. */
  private live(item: Item | undefined): Item | undefined {
    if (!item) return undefined;
    const expiresAt = item.expiresAt;
    return typeof expiresAt === 'number' && expiresAt * 1000 <= this.nowMs() ? undefined : item;
  }

  private async getItem(key: Item, what: string): Promise<Item | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return this.live(Item);
    } catch (error) {
      rethrowAws(error, what);
    }
  }

  async get(id: string): Promise<Task | undefined> {
    const item = await this.getItem(taskKey(id), 'Reading a task');
    return item ? TaskSchema.parse(item) : undefined;
  }

  async create(task: Task): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: taskItem(task), ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw new ConcurrentUpdateError(`Task ${task.id} already exists.`, { cause: error });
      rethrowAws(error, 'Creating a task');
    }
  }

  async save(task: Task, condition: SaveCondition): Promise<Task> {
    const next = { ...task, version: condition.version + 1 };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: taskItem(next),
          ConditionExpression: 'attribute_exists(pk) AND #version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': condition.version },
        }),
      );
      return next;
    } catch (error) {
      if (isConditionalCheckFailure(error)) {
        throw new ConcurrentUpdateError(`Task ${task.id} changed since version ${condition.version}.`, { cause: error });
      }
      rethrowAws(error, 'Saving a task');
    }
  }

  async list(query: TaskQuery): Promise<Page<Task>> {
    const [index, pk, sk] = query.status
      ? ['byStatus', 'gsi1pk', 'gsi1sk']
      : query.type
        ? ['byType', 'gsi2pk', 'gsi2sk']
        : ['byCreated', 'gsi3pk', 'gsi3sk'];
    const pkValue = query.status ? `STATUS#${query.status}` : query.type ? `TYPE#${query.type}` : 'TASKS';
    const names: Record<string, string> = { '#pk': pk };
    const values: Record<string, unknown> = { ':pk': pkValue };
    let keyCondition = '#pk = :pk';
    if (query.createdFrom || query.createdTo) names['#sk'] = sk;
    if (query.createdFrom && query.createdTo) {
      keyCondition += ' AND #sk BETWEEN :from AND :to';
      Object.assign(values, { ':from': query.createdFrom, ':to': `${query.createdTo}~` });
    } else if (query.createdFrom) {
      keyCondition += ' AND #sk >= :from';
      values[':from'] = query.createdFrom;
    } else if (query.createdTo) {
      keyCondition += ' AND #sk <= :to';
      values[':to'] = `${query.createdTo}~`;
    }
    const filters: string[] = [];
    if (query.status && query.type) {
      filters.push('#type = :type');
      names['#type'] = 'type';
      values[':type'] = query.type;
    }
    if (query.requester) {
      filters.push('createdBy.#sub = :requester');
      names['#sub'] = 'sub';
      values[':requester'] = query.requester;
    }
    const page = await this.queryPage(
      {
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ScanIndexForward: false,
      },
      query.limit,
      query.cursor,
      'Listing tasks',
    );
    return { items: page.items.map((item) => TaskSchema.parse(item)), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  /** Pages through a query until `limit` live items are found (filters and TTL can thin pages out). */
  private async queryPage(input: QueryCommandInput, limit: number, cursor: string | undefined, what: string): Promise<Page<Item>> {
    const items: Item[] = [];
    let startKey = decodeCursor(cursor);
    try {
      for (let round = 0; round < 20; round++) {
        const result = await this.client.send(new QueryCommand({ ...input, Limit: limit - items.length, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
        for (const item of result.Items ?? []) {
          const live = this.live(item);
          if (live) items.push(live);
        }
        startKey = result.LastEvaluatedKey;
        if (!startKey || items.length >= limit) break;
      }
    } catch (error) {
      // DynamoDB refuses a start key that is not one of this query's (a cursor made up, or from another list).
      if (cursor && awsErrorName(error) === 'ValidationException') {
        throw new BadRequestError('The cursor is not one this API returned; start again without it.', { cause: error });
      }
      rethrowAws(error, what);
    }
    const next = encodeCursor(startKey);
    return { items, ...(next ? { cursor: next } : {}) };
  }

  async countByStatus(): Promise<Record<TaskStatus, number>> {
    const statuses = TaskStatusSchema.options;
    const counts = await Promise.all(
      statuses.map(async (status) => {
        let count = 0;
        let startKey: Item | undefined;
        try {
          do {
            const result = await this.client.send(
              new QueryCommand({
                TableName: this.tableName,
                IndexName: 'byStatus',
                KeyConditionExpression: 'gsi1pk = :pk',
                ExpressionAttributeValues: { ':pk': `STATUS#${status}` },
                Select: 'COUNT',
                ...(startKey ? { ExclusiveStartKey: startKey } : {}),
              }),
            );
            count += result.Count ?? 0;
            startKey = result.LastEvaluatedKey;
          } while (startKey);
        } catch (error) {
          rethrowAws(error, 'Counting tasks');
        }
        return [status, count] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<TaskStatus, number>;
  }

  // ---- secrets --------------------------------------------------------------------------------

  async putSecret(secret: SecretRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...secretKey(secret.hash),
            ...secret,
            gsi1pk: `SECRETS#${secret.taskId}`,
            gsi1sk: `${secret.kind}#${secret.createdAt}`,
            gsi3pk: `SECRETS#${secret.kind}`,
            gsi3sk: `${secret.createdAt}#${secret.hash}`,
            expiresAt: Math.floor(Date.parse(secret.validUntil) / 1000) + SECRET_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      rethrowAws(error, 'Storing a secret');
    }
  }

  async getSecret(hash: string): Promise<SecretRecord | undefined> {
    const item = await this.getItem(secretKey(hash), 'Reading a secret');
    if (!item) return undefined;
    const { expiresAt: _expiresAt, ...secret } = strip(item);
    return secret as unknown as SecretRecord;
  }

  consumeSecret(hash: string, usedBy: string, at: string): Promise<boolean> {
    return sendConditional(
      () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: secretKey(hash),
            UpdateExpression: 'SET usedAt = :at, usedBy = :by',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND attribute_not_exists(revokedAt) AND validUntil > :at',
            ExpressionAttributeValues: { ':at': at, ':by': usedBy },
          }),
        ),
      'Using a secret',
    );
  }

  async releaseSecret(hash: string): Promise<void> {
    await sendConditional(
      () =>
        this.client.send(
          new UpdateCommand({ TableName: this.tableName, Key: secretKey(hash), UpdateExpression: 'REMOVE usedAt, usedBy', ConditionExpression: 'attribute_exists(pk)' }),
        ),
      'Releasing a secret',
    );
  }

  async revokeSecrets(taskId: string, kind: SecretRecord['kind'], at: string, reason: string): Promise<void> {
    try {
      const { Items = [] } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byStatus',
          KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :kind)',
          ExpressionAttributeValues: { ':pk': `SECRETS#${taskId}`, ':kind': `${kind}#` },
        }),
      );
      for (const item of Items) {
        if (item.usedAt !== undefined || item.revokedAt !== undefined) continue;
        await this.client
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: secretKey(String(item.hash)),
              UpdateExpression: 'SET revokedAt = :at, revokedReason = :reason',
              ConditionExpression: 'attribute_not_exists(usedAt) AND attribute_not_exists(revokedAt)',
              ExpressionAttributeValues: { ':at': at, ':reason': reason },
            }),
          )
          .catch((error: unknown) => {
            if (!isConditionalCheckFailure(error)) throw error;
          });
      }
    } catch (error) {
      rethrowAws(error, 'Revoking secrets');
    }
  }

  async listSecrets(kind: SecretRecord['kind'], limit: number, cursor?: string): Promise<Page<SecretRecord>> {
    const page = await this.queryPage(
      {
        TableName: this.tableName,
        IndexName: 'byCreated',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': `SECRETS#${kind}` },
        ScanIndexForward: false,
      },
      limit,
      cursor,
      'Listing secrets',
    );
    return {
      items: page.items.map((item) => {
        const { expiresAt: _expiresAt, ...secret } = strip(item);
        return secret as unknown as SecretRecord;
      }),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    };
  }

  async deleteExpiredSecrets(kind: SecretRecord['kind'], before: string): Promise<number> {
    let deleted = 0;
    let startKey: Item | undefined;
    try {
      do {
        const result = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'byCreated',
            KeyConditionExpression: 'gsi3pk = :pk',
            FilterExpression: 'validUntil <= :before',
            ExpressionAttributeValues: { ':pk': `SECRETS#${kind}`, ':before': before },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of result.Items ?? []) {
          await this.client.send(
            new DeleteCommand({
              TableName: this.tableName,
              Key: secretKey(String(item.hash)),
              ConditionExpression: 'validUntil <= :before',
              ExpressionAttributeValues: { ':before': before },
            }),
          );
          deleted++;
        }
        startKey = result.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      rethrowAws(error, 'Deleting expired secrets');
    }
    return deleted;
  }

  // ---- duplicates -----------------------------------------------------------------------------

  async getDuplicateHolder(key: string): Promise<string | undefined> {
    const item = await this.getItem(dedupKey(key), 'Reading a duplicate key');
    return typeof item?.taskId === 'string' ? item.taskId : undefined;
  }

  claimDuplicate(key: string, taskId: string, expected: string | undefined): Promise<boolean> {
    return sendConditional(
      () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...dedupKey(key), taskId },
            ...(expected === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'taskId = :expected', ExpressionAttributeValues: { ':expected': expected } }),
          }),
        ),
      'Claiming a duplicate key',
    );
  }

  // ---- notifications --------------------------------------------------------------------------

  private notificationItem(notification: Notification): Item {
    return {
      ...notificationKey(notification.id),
      ...notification,
      gsi3pk: 'NOTIFICATIONS',
      gsi3sk: `${notification.createdAt}#${notification.id}`,
      expiresAt: Math.floor(Date.parse(notification.createdAt) / 1000) + NOTIFICATION_RETENTION_SECONDS,
    };
  }

  async putNotification(notification: Notification): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: this.notificationItem(notification), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      rethrowAws(error, 'Storing a notification');
    }
  }

  async getNotification(id: string): Promise<Notification | undefined> {
    const item = await this.getItem(notificationKey(id), 'Reading a notification');
    return item ? NotificationSchema.parse(item) : undefined;
  }

  async updateNotification(notification: Notification): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: this.notificationItem(notification), ConditionExpression: 'attribute_exists(pk)' }),
      );
    } catch (error) {
      rethrowAws(error, 'Updating a notification');
    }
  }

  async listNotifications(query: { acknowledged?: boolean; limit: number; cursor?: string }): Promise<Page<Notification>> {
    const page = await this.queryPage(
      {
        TableName: this.tableName,
        IndexName: 'byCreated',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': 'NOTIFICATIONS', ...(query.acknowledged === undefined ? {} : { ':ack': query.acknowledged }) },
        ...(query.acknowledged === undefined ? {} : { FilterExpression: 'acknowledged = :ack' }),
        ScanIndexForward: false,
      },
      query.limit,
      query.cursor,
      'Listing notifications',
    );
    return { items: page.items.map((item) => NotificationSchema.parse(item)), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  // ---- idempotency ----------------------------------------------------------------------------

  async beginIdempotent(key: string, fingerprint: string, at: string, ttlSeconds: number): Promise<IdempotencyState> {
    const expiresAt = Math.floor(Date.parse(at) / 1000) + ttlSeconds;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...idempotencyKey(key), fingerprint, state: 'in-progress', createdAt: at, expiresAt },
          // An expired record (TTL not yet applied) is free to reuse.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': Math.floor(Date.parse(at) / 1000) },
        }),
      );
      return { state: 'new' };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) rethrowAws(error, 'Starting an idempotent request');
    }
    const item = await this.getItem(idempotencyKey(key), 'Reading an idempotency key');
    if (!item) return this.beginIdempotent(key, fingerprint, at, ttlSeconds);
    if (item.state === 'done') {
      return { state: 'done', fingerprint: String(item.fingerprint), response: item.response as { status: number; body: unknown } };
    }
    return { state: 'in-progress', fingerprint: String(item.fingerprint) };
  }

  async completeIdempotent(key: string, response: { status: number; body: unknown }): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: idempotencyKey(key),
          UpdateExpression: 'SET #state = :done, #response = :response',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
          ExpressionAttributeValues: { ':done': 'done', ':response': response },
        }),
      );
    } catch (error) {
      rethrowAws(error, 'Completing an idempotent request');
    }
  }

  async abandonIdempotent(key: string): Promise<void> {
    await sendConditional(
      () =>
        this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: idempotencyKey(key),
            ConditionExpression: '#state = :progress',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':progress': 'in-progress' },
          }),
        ),
      'Releasing an idempotency key',
    );
  }
}
