import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '#core/errors';
import { type Task, TaskSchema } from '#core/task';
import type { SaveCondition, SecretRecord, TaskStore } from '#ports/task-store';
import { rethrowAws } from '../aws-errors.ts';

/** Secrets are kept this long after they stop working, so a late click still gets a clear answer. */
const SECRET_RETENTION_SECONDS = 30 * 24 * 3600;

export interface DynamoDbTaskStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

const taskKey = (id: string) => ({ pk: `TASK#${id}`, sk: 'TASK' });
const secretKey = (hash: string) => ({ pk: `SECRET#${hash}`, sk: 'SECRET' });

const taskItem = (task: Task) => ({
  ...taskKey(task.id),
  ...task,
  gsi1pk: `STATUS#${task.status}`,
  gsi1sk: `${task.createdAt}#${task.id}`,
  gsi2pk: `TYPE#${task.type}`,
  gsi2sk: `${task.createdAt}#${task.id}`,
});

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException';

/** Tasks and secrets in the single table, every write conditional. */
export class DynamoDbTaskStore implements TaskStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoDbTaskStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async get(id: string): Promise<Task | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: taskKey(id), ConsistentRead: true }));
      return Item ? TaskSchema.parse(Item) : undefined;
    } catch (error) {
      rethrowAws(error, 'Reading a task');
    }
  }

  async create(task: Task): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: taskItem(task), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConcurrentUpdateError(`Task ${task.id} already exists.`, { cause: error });
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
      if (isConditionFailure(error)) {
        throw new ConcurrentUpdateError(`Task ${task.id} changed since version ${condition.version}.`, { cause: error });
      }
      rethrowAws(error, 'Saving a task');
    }
  }

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
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: secretKey(hash), ConsistentRead: true }));
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, expiresAt: _e, ...secret } = Item;
      return secret as SecretRecord;
    } catch (error) {
      rethrowAws(error, 'Reading a secret');
    }
  }

  async consumeSecret(hash: string, usedBy: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: secretKey(hash),
          UpdateExpression: 'SET usedAt = :at, usedBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND attribute_not_exists(revokedAt) AND validUntil > :at',
          ExpressionAttributeValues: { ':at': at, ':by': usedBy },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      rethrowAws(error, 'Using a secret');
    }
  }

  async releaseSecret(hash: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: secretKey(hash),
          UpdateExpression: 'REMOVE usedAt, usedBy',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      rethrowAws(error, 'Releasing a secret');
    }
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
            if (!isConditionFailure(error)) throw error;
          });
      }
    } catch (error) {
      rethrowAws(error, 'Revoking secrets');
    }
  }
}
