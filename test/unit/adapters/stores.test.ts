import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { IdempotencyConfig, IdempotencyItemAlreadyExistsError } from '@aws-lambda-powertools/idempotency';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbDuplicateKeys } from '#adapters/dynamodb/duplicate-keys';
import { DynamoDbIdempotencyStore } from '#adapters/dynamodb/idempotency-store';
import { DynamoDbNotificationStore } from '#adapters/dynamodb/notification-store';
import { DynamoDbSecretStore } from '#adapters/dynamodb/secret-store';
import { INDEXES } from '#adapters/dynamodb/table';
import type { Notification } from '#core/notification';
import { tableDefinition } from '../../../lib/table-definition.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(client);
const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const options = { client, tableName: 'assent', now: () => NOW };
const failed = (old?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), old ? { Item: marshall(old) } : {});
const LIVE = 'attribute_exists(pk) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)';

beforeEach(() => ddb.reset());

it('names the indexes of lib/table-definition.ts', () => {
  // Act
  const adapters = Object.values(INDEXES);

  // Assess
  expect(adapters).toStrictEqual(tableDefinition.indexes.map(({ name, partitionKey, sortKey }) => ({ name, partitionKey, sortKey })));
});

describe('DynamoDbSecretStore', () => {
  const store = new DynamoDbSecretStore(options);
  const secret = { hash: 'abc', kind: 'token' as const, taskId: 'T1', round: 2, createdAt: '2026-11-23T10:00:00.000Z', validUntil: '2026-11-24T10:00:00.000Z' };

  it('stores a secret by hash, only if new, listed per kind, with a TTL 30 days after it stops working', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    await store.put(secret);

    // Assess
    expect(ddb.commandCalls(PutCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        TableName: 'assent',
        Item: {
          pk: 'SECRET#abc',
          sk: 'SECRET',
          ...secret,
          gsi3pk: 'SECRETS#token',
          gsi3sk: '2026-11-23T10:00:00.000Z#abc',
          expiresAt: Date.parse('2026-11-24T10:00:00.000Z') / 1000 + 30 * 24 * 3600,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    ]);
  });

  it('refuses to overwrite a stored secret', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(failed());

    // Act & Assess
    await expect(store.put(secret)).rejects.toThrow('A secret with this hash is already stored: secrets are random, so the caller reused one.');
  });

  it('deletes the expired secrets it reads from the items, each on condition', async () => {
    // Prepare
    const entry = (hash: string) => ({ pk: `SECRET#${hash}`, sk: 'SECRET', gsi3pk: 'SECRETS#token', gsi3sk: `x#${hash}` });
    ddb.on(QueryCommand).resolves({ Items: [entry('old'), entry('new')] });
    ddb.on(BatchGetCommand).resolves({
      Responses: { assent: [{ ...entry('old'), ...secret, hash: 'old', validUntil: '2026-11-01T00:00:00.000Z' }, { ...entry('new'), ...secret, hash: 'new' }] },
    });
    ddb.on(DeleteCommand).resolves({});

    // Act
    const deleted = await store.deleteExpired('token', '2026-11-20T00:00:00.000Z');

    // Assess
    expect(deleted).toBe(1);
    expect(ddb.commandCalls(DeleteCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        TableName: 'assent',
        Key: { pk: 'SECRET#old', sk: 'SECRET' },
        ConditionExpression: 'validUntil <= :before',
        ExpressionAttributeValues: { ':before': '2026-11-20T00:00:00.000Z' },
      },
    ]);
  });
});

describe('DynamoDbNotificationStore', () => {
  const store = new DynamoDbNotificationStore(options);
  const notification: Notification = {
    id: 'N1',
    taskId: 'T1',
    taskType: 'sign-up',
    kind: 'needs-approval',
    error: false,
    message: 'Task T1 needs approval.',
    createdAt: '2026-11-23T10:00:00.000Z',
    acknowledged: false,
  };

  it('puts an unacknowledged notice in its task\'s open partition, and an unacknowledged error in the errors\' too', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    const error: Notification = { ...notification, id: 'N2', kind: 'error', error: true, message: 'It failed.' };

    // Act
    await store.put(notification);
    await store.put(error);
    await store.put({ ...notification, id: 'N3', acknowledged: true });

    // Assess
    const expiresAt = Date.parse('2026-11-23T10:00:00.000Z') / 1000 + 90 * 24 * 3600;
    const sortKey = (id: string) => `2026-11-23T10:00:00.000Z#${id}`;
    expect(ddb.commandCalls(PutCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        TableName: 'assent',
        Item: { pk: 'NOTIFICATION#N1', sk: 'NOTIFICATION', ...notification, gsi3pk: 'NOTIFICATIONS', gsi3sk: sortKey('N1'), gsi2pk: 'NOTIFICATIONS#UNACKNOWLEDGED#TASK#T1', gsi2sk: sortKey('N1'), expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
      {
        TableName: 'assent',
        Item: {
          pk: 'NOTIFICATION#N2',
          sk: 'NOTIFICATION',
          ...error,
          gsi3pk: 'NOTIFICATIONS',
          gsi3sk: sortKey('N2'),
          gsi2pk: 'NOTIFICATIONS#UNACKNOWLEDGED#TASK#T1',
          gsi2sk: sortKey('N2'),
          gsi1pk: 'NOTIFICATIONS#UNACKNOWLEDGED#ERROR',
          gsi1sk: sortKey('N2'),
          expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
      {
        TableName: 'assent',
        Item: { pk: 'NOTIFICATION#N3', sk: 'NOTIFICATION', ...notification, id: 'N3', acknowledged: true, gsi3pk: 'NOTIFICATIONS', gsi3sk: sortKey('N3'), expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    ]);
  });

  it('counts the unacknowledged errors with COUNT queries of their partition, from the oldest creation TTL has not ended', async () => {
    // Prepare
    ddb.on(QueryCommand, { Select: 'COUNT' }).resolvesOnce({ Count: 120, LastEvaluatedKey: { pk: 'x', sk: 'y' } }).resolvesOnce({ Count: 7 });
    ddb.on(QueryCommand, { Limit: 100 }).resolves({ Items: [] });

    // Act
    const errors = await store.unacknowledgedErrors(10);

    // Assess: live while floor(created s) + 90 days > now s, so from the second after now - 90 days.
    expect(errors).toStrictEqual({ count: 127, items: [] });
    const query = {
      TableName: 'assent',
      IndexName: 'byStatus',
      KeyConditionExpression: '#pk = :pk AND #sk >= :from',
      ExpressionAttributeNames: { '#pk': 'gsi1pk', '#sk': 'gsi1sk' },
      ExpressionAttributeValues: { ':pk': 'NOTIFICATIONS#UNACKNOWLEDGED#ERROR', ':from': '2026-08-25T12:00:01.000Z' },
      ScanIndexForward: false,
    };
    expect(ddb.commandCalls(QueryCommand).map((call) => call.args[0].input)).toStrictEqual([
      { ...query, Select: 'COUNT' },
      { ...query, Limit: 100 },
      { ...query, Select: 'COUNT', ExclusiveStartKey: { pk: 'x', sk: 'y' } },
    ]);
  });

  it('acknowledges with one conditional UpdateItem', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: {} });

    // Act
    const acknowledged = await store.acknowledge('N1', 'ann', '2026-11-23T11:00:00.000Z');

    // Assess
    expect(acknowledged).toBe(true);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      Key: { pk: 'NOTIFICATION#N1', sk: 'NOTIFICATION' },
      UpdateExpression: 'SET acknowledged = :true, acknowledgedAt = :at, acknowledgedBy = :by REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk',
      ConditionExpression: `${LIVE} AND acknowledged = :false`,
      ExpressionAttributeValues: { ':true': true, ':false': false, ':at': '2026-11-23T11:00:00.000Z', ':by': 'ann', ':now': NOW / 1000 },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('answers true for one already acknowledged, false for one that is not there', async () => {
    // Prepare
    ddb
      .on(UpdateCommand)
      .rejectsOnce(failed({ pk: 'NOTIFICATION#N1', sk: 'NOTIFICATION', ...notification, acknowledged: true }))
      .rejectsOnce(failed());

    // Act
    const results = [await store.acknowledge('N1', 'ann', 'x'), await store.acknowledge('N2', 'ann', 'x')];

    // Assess
    expect(results).toStrictEqual([true, false]);
  });

  it('records the email time only on a notification that is there', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(failed());

    // Act
    await store.markEmailed('N1', '2026-11-23T11:00:00.000Z');

    // Assess
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      Key: { pk: 'NOTIFICATION#N1', sk: 'NOTIFICATION' },
      UpdateExpression: 'SET emailedAt = :at',
      ConditionExpression: LIVE,
      ExpressionAttributeValues: { ':at': '2026-11-23T11:00:00.000Z', ':now': NOW / 1000 },
    });
  });
});

describe('DynamoDbIdempotencyStore', () => {
  const store = new DynamoDbIdempotencyStore(options);
  store.configure({
    config: new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'body', throwOnNoIdempotencyKey: true, expiresAfterSeconds: 60, hashFunction: 'sha256' }),
    keyPrefix: 'create-task',
  });
  const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64');
  const KEY = `create-task#${sha256('k1')}`;
  const request = { key: 'k1', body: { type: 'sign-up' } };
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('begins a key with a conditional put on a partition of its own, its expiry in the TTL attribute expiresAt', async () => {
    // Prepare
    ddb.on(PutItemCommand).resolves({});

    // Act
    await store.saveInProgress(request, 29_000);

    // Assess
    const { Item, ConditionExpression, ExpressionAttributeNames } = ddb.commandCalls(PutItemCommand)[0]?.args[0].input ?? {};
    expect({ item: unmarshall(Item ?? {}), ConditionExpression, ExpressionAttributeNames }).toStrictEqual({
      item: { pk: `IDEMPOTENCY#${KEY}`, sk: 'IDEMPOTENCY', expiresAt: NOW / 1000 + 60, state: 'INPROGRESS', inProgressUntil: NOW + 29_000, fingerprint: sha256({ type: 'sign-up' }) },
      ConditionExpression: 'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
      ExpressionAttributeNames: { '#id': 'pk', '#expiry': 'expiresAt', '#in_progress_expiry': 'inProgressUntil', '#status': 'state' },
    });
  });

  it('completes a key with its answer and reads it back under the key it was asked for', async () => {
    // Prepare
    ddb.on(UpdateItemCommand).resolves({});
    ddb.on(GetItemCommand).resolves({
      Item: marshall({ pk: `IDEMPOTENCY#${KEY}`, sk: 'IDEMPOTENCY', expiresAt: NOW / 1000 + 60, state: 'COMPLETED', response: { status: 202, body: { id: 'T1' } }, fingerprint: sha256({ type: 'sign-up' }) }),
    });

    // Act
    await store.saveSuccess(request, { status: 202, body: { id: 'T1' } });
    const record = await store.getRecord(request);

    // Assess
    const update = ddb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect({ key: unmarshall(update?.Key ?? {}), names: update?.ExpressionAttributeNames }).toStrictEqual({
      key: { pk: `IDEMPOTENCY#${KEY}`, sk: 'IDEMPOTENCY' },
      names: { '#expiry': 'expiresAt', '#status': 'state', '#response_data': 'response', '#validation_key': 'fingerprint' },
    });
    expect([record.idempotencyKey, record.getStatus(), record.getResponse()]).toStrictEqual([KEY, 'COMPLETED', { status: 202, body: { id: 'T1' } }]);
    expect(unmarshall(ddb.commandCalls(GetItemCommand)[0]?.args[0].input.Key ?? {})).toStrictEqual({ pk: `IDEMPOTENCY#${KEY}`, sk: 'IDEMPOTENCY' });
  });

  it('tells a held key apart from a fault: the record Powertools reads, not a TransientError', async () => {
    // Prepare
    ddb.on(PutItemCommand).rejects(failed({ pk: `IDEMPOTENCY#${KEY}`, sk: 'IDEMPOTENCY', expiresAt: NOW / 1000 + 60, state: 'INPROGRESS', inProgressUntil: NOW + 1, fingerprint: 'f' }));

    // Act
    const error = await store.saveInProgress(request, 29_000).catch((failure: unknown) => failure);

    // Assess
    expect(error).toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    expect((error as IdempotencyItemAlreadyExistsError).existingRecord?.getStatus()).toBe('INPROGRESS');
  });
});

describe('DynamoDbDuplicateKeys', () => {
  const store = new DynamoDbDuplicateKeys(options);

  it('moves a key only from the holder expected', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    await store.claim('k1', 'T2', 'T1');
    await store.claim('k2', 'T3', undefined);

    // Assess
    expect(ddb.commandCalls(PutCommand).map((call) => call.args[0].input)).toStrictEqual([
      { TableName: 'assent', Item: { pk: 'DEDUP#k1', sk: 'DEDUP', taskId: 'T2' }, ConditionExpression: 'taskId = :expected', ExpressionAttributeValues: { ':expected': 'T1' } },
      { TableName: 'assent', Item: { pk: 'DEDUP#k2', sk: 'DEDUP', taskId: 'T3' }, ConditionExpression: 'attribute_not_exists(pk)' },
    ]);
  });
});
