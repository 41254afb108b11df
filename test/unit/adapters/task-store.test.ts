import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbTaskStore } from '#adapters/dynamodb/task-store';
import { ConcurrentUpdateError, TransientError } from '#core/errors';
import type { Task } from '#core/task';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(client);
const store = new DynamoDbTaskStore({ client, tableName: 'assent' });

const task: Task = {
  id: '01JTASK0000000000000000001',
  type: 'sign-up',
  status: 'pending',
  actions: [],
  notes: [],
  history: [],
  createdBy: null,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  sentEmails: [],
  adminNotes: [],
  attempt: 1,
  version: 3,
};

beforeEach(() => ddb.reset());

describe('DynamoDbTaskStore', () => {
  it('saves with the next version, conditional on the version read, with the index keys', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    // Act
    const saved = await store.save(task, { version: 3 });
    // Assess
    expect(saved.version).toBe(4);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      Item: {
        pk: 'TASK#01JTASK0000000000000000001',
        sk: 'TASK',
        ...task,
        version: 4,
        gsi1pk: 'STATUS#pending',
        gsi1sk: '2026-11-23T10:00:00.000Z#01JTASK0000000000000000001',
        gsi2pk: 'TYPE#sign-up',
        gsi2sk: '2026-11-23T10:00:00.000Z#01JTASK0000000000000000001',
        gsi3pk: 'TASKS',
        gsi3sk: '2026-11-23T10:00:00.000Z#01JTASK0000000000000000001',
      },
      ConditionExpression: 'attribute_exists(pk) AND #version = :version',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':version': 3 },
    });
  });

  it('turns a failed version condition into ConcurrentUpdateError', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    await expect(store.save(task, { version: 3 })).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  it('turns throttling into TransientError', async () => {
    ddb.on(GetCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(store.get(task.id)).rejects.toBeInstanceOf(TransientError);
  });

  it('never returns a task whose TTL has passed, even before DynamoDB deletes it', async () => {
    // Prepare
    const clocked = new DynamoDbTaskStore({ client, tableName: 'assent', now: () => Date.parse('2026-11-24T10:00:00.000Z') });
    ddb.on(GetCommand).resolvesOnce({ Item: { ...task, expiresAt: Date.parse('2026-11-24T09:59:59.000Z') / 1000 } }).resolvesOnce({
      Item: { ...task, expiresAt: Date.parse('2026-11-24T10:00:01.000Z') / 1000 },
    });

    // Act
    const expired = await clocked.get(task.id);
    const live = await clocked.get(task.id);

    // Assess
    expect([expired, live?.id]).toStrictEqual([undefined, task.id]);
  });

  it('reads tasks consistently and parses them', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'TASK#x', sk: 'TASK', gsi1pk: 'STATUS#pending', ...task } });
    await expect(store.get(task.id)).resolves.toStrictEqual(task);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      Key: { pk: 'TASK#01JTASK0000000000000000001', sk: 'TASK' },
      ConsistentRead: true,
    });
  });

  it('uses a secret only if unused, unrevoked and unexpired; a lost race answers false', async () => {
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(new ConditionalCheckFailedException({ message: 'used', $metadata: {} }));
    await expect(store.consumeSecret('abc', 'requester', '2026-11-23T10:00:00.000Z')).resolves.toBe(true);
    await expect(store.consumeSecret('abc', 'requester', '2026-11-23T10:00:00.000Z')).resolves.toBe(false);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      Key: { pk: 'SECRET#abc', sk: 'SECRET' },
      UpdateExpression: 'SET usedAt = :at, usedBy = :by',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND attribute_not_exists(revokedAt) AND validUntil > :at',
      ExpressionAttributeValues: { ':at': '2026-11-23T10:00:00.000Z', ':by': 'requester' },
    });
  });

  it('stores secrets by hash with a TTL 30 days after they stop working', async () => {
    ddb.on(PutCommand).resolves({});
    await store.putSecret({ hash: 'abc', kind: 'token', taskId: 't1', createdAt: '2026-11-23T10:00:00.000Z', validUntil: '2026-11-24T10:00:00.000Z' });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      Item: {
        pk: 'SECRET#abc',
        sk: 'SECRET',
        hash: 'abc',
        kind: 'token',
        taskId: 't1',
        createdAt: '2026-11-23T10:00:00.000Z',
        validUntil: '2026-11-24T10:00:00.000Z',
        gsi1pk: 'SECRETS#t1',
        gsi1sk: 'token#2026-11-23T10:00:00.000Z',
        gsi3pk: 'SECRETS#token',
        gsi3sk: '2026-11-23T10:00:00.000Z#abc',
        expiresAt: Date.parse('2026-11-24T10:00:00.000Z') / 1000 + 30 * 24 * 3600,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });
});
