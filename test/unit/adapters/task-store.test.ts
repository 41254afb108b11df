import { jest } from '@jest/globals';
import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbTaskStore } from '#adapters/dynamodb/task-store';
import { BadRequestError, TransientError } from '#core/errors';
import type { Task } from '#core/task';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(client);
const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const store = new DynamoDbTaskStore({ client, tableName: 'assent', now: () => NOW });

const ID = '01JTASK0000000000000000001';
const task: Task = {
  id: ID,
  type: 'sign-up',
  status: 'pending',
  actions: [{ name: 'invite-user', data: { email: 'ann@example.com' }, valid: null, autoApprove: null, needsToken: false, notes: [], stored: {} }],
  notes: [],
  history: [],
  createdBy: { sub: 'ann', roles: [] },
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  dataRevision: 0,
  rounds: 0,
  sentEmails: [],
  adminNotes: [],
  attempt: 1,
  version: 3,
};
const keys = {
  pk: `TASK#${ID}`,
  sk: 'TASK',
  gsi1pk: 'STATUS#pending',
  gsi1sk: `2026-11-23T10:00:00.000Z#${ID}`,
  gsi2pk: 'TYPE#sign-up',
  gsi2sk: `2026-11-23T10:00:00.000Z#${ID}`,
  gsi3pk: 'TASKS',
  gsi3sk: `2026-11-23T10:00:00.000Z#${ID}`,
  gsi4pk: 'REQUESTER#ann',
};
const item = { ...keys, ...task };
/** What every update is conditioned on first: the task is there and TTL has not ended it. */
const LIVE = 'attribute_exists(pk) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)';
const failed = (old?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), old ? { Item: marshall(old) } : {});
const throttled = () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

beforeEach(() => ddb.reset());

describe('DynamoDbTaskStore.create', () => {
  it('puts the task with its index keys, only if the id is free', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    const created = await store.create(task);

    // Assess
    expect(created).toBe(true);
    expect(ddb.commandCalls(PutCommand).map((call) => call.args[0].input)).toStrictEqual([
      { TableName: 'assent', Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
    ]);
  });

  it('gives byScope the project of a task that has one, else its requester, and an anonymous task of no project no entry', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    const { gsi4pk: _requester, ...unscoped } = item;

    // Act
    await store.create({ ...task, projectId: 'p-1' });
    await store.create({ ...task, createdBy: null });

    // Assess
    expect(ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item)).toStrictEqual([
      { ...item, projectId: 'p-1', gsi4pk: 'PROJECT#p-1' },
      { ...unscoped, createdBy: null },
    ]);
  });

  it('answers false when the id is taken', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(failed());

    // Act & Assess
    await expect(store.create(task)).resolves.toBe(false);
  });
});

describe('DynamoDbTaskStore.update', () => {
  it('sends one UpdateItem: set paths with name placeholders and list indexes, the version, the status key', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: { ...item, status: 'approved', gsi1pk: 'STATUS#approved', version: 4 } });

    // Act
    const result = await store.update(ID, {
      set: [
        { path: ['status'], value: 'approved' },
        { path: ['actions', 0, 'valid'], value: true },
        { path: ['wait', 'round'], value: 2 },
      ],
      conditions: [{ path: ['status'], equals: 'pending' }],
    });

    // Assess
    expect(result).toStrictEqual({ applied: true, task: { ...task, status: 'approved', version: 4 } });
    expect(ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        TableName: 'assent',
        Key: { pk: `TASK#${ID}`, sk: 'TASK' },
        UpdateExpression: 'SET #p0 = :s0, #p1[0].#p2 = :s1, #p3.#p4 = :s2, #version = #version + :one, gsi1pk = :gsi1pk',
        ConditionExpression: `${LIVE} AND #p0 = :c0`,
        ExpressionAttributeNames: { '#version': 'version', '#p0': 'status', '#p1': 'actions', '#p2': 'valid', '#p3': 'wait', '#p4': 'round' },
        ExpressionAttributeValues: { ':s0': 'approved', ':s1': true, ':s2': 2, ':one': 1, ':gsi1pk': 'STATUS#approved', ':now': NOW / 1000, ':c0': 'pending' },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('appends with list_append(if_not_exists(...)), removes, and translates every kind of condition', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: item });

    // Act
    await store.update(ID, {
      append: [
        { path: ['adminNotes'], items: [{ at: 'x', by: 'boss', text: 'hi' }] },
        { path: ['actions', 1, 'notes'], items: [{ at: 'x', text: 'checked' }] },
      ],
      remove: [['wait'], ['actions', 1, 'tokenSchemaKey']],
      conditions: [
        { path: ['status'], in: ['pending', 'approved'] },
        { path: ['wait', 'round'], equals: 2 },
        { path: ['wait'], exists: true },
        { path: ['queuedVote'], exists: false },
        { path: ['version'], equals: 3 },
      ],
    });

    // Assess
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      Key: { pk: `TASK#${ID}`, sk: 'TASK' },
      UpdateExpression:
        'SET #p0 = list_append(if_not_exists(#p0, :empty), :a0), #p1[1].#p2 = list_append(if_not_exists(#p1[1].#p2, :empty), :a1), #version = #version + :one REMOVE #p3, #p1[1].#p4',
      ConditionExpression: `${LIVE} AND #p5 IN (:c0, :c1) AND #p3.#p6 = :c2 AND attribute_exists(#p3) AND attribute_not_exists(#p7) AND #version = :c3`,
      ExpressionAttributeNames: {
        '#version': 'version',
        '#p0': 'adminNotes',
        '#p1': 'actions',
        '#p2': 'notes',
        '#p3': 'wait',
        '#p4': 'tokenSchemaKey',
        '#p5': 'status',
        '#p6': 'round',
        '#p7': 'queuedVote',
      },
      ExpressionAttributeValues: {
        ':empty': [],
        ':a0': [{ at: 'x', by: 'boss', text: 'hi' }],
        ':a1': [{ at: 'x', text: 'checked' }],
        ':one': 1,
        ':now': NOW / 1000,
        ':c0': 'pending',
        ':c1': 'approved',
        ':c2': 2,
        ':c3': 3,
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('answers the task as it is when a condition failed, from the item the exception carries', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(failed({ ...item, status: 'rejected', gsi1pk: 'STATUS#rejected' }));

    // Act
    const result = await store.update(ID, { set: [{ path: ['status'], value: 'approved' }], conditions: [{ path: ['status'], equals: 'pending' }] });

    // Assess
    expect(result).toStrictEqual({ applied: false, task: { ...task, status: 'rejected' } });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('answers no task when the condition failed on a task that is not there, or that TTL has ended', async () => {
    // Prepare
    ddb
      .on(UpdateCommand)
      .rejectsOnce(failed())
      .rejectsOnce(failed({ ...item, status: 'completed', expiresAt: NOW / 1000 - 1 }));

    // Act
    const results = [await store.update(ID, { conditions: [] }), await store.update(ID, { conditions: [] })];

    // Assess
    expect(results).toStrictEqual([
      { applied: false, task: undefined },
      { applied: false, task: undefined },
    ]);
  });

  it('turns throttling into TransientError', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(throttled());

    // Act & Assess
    await expect(store.update(ID, { conditions: [] })).rejects.toStrictEqual(new TransientError('Updating a task: ProvisionedThroughputExceededException'));
  });

  it('refuses a status that is not one before sending anything', async () => {
    // Act & Assess
    await expect(store.update(ID, { set: [{ path: ['status'], value: 'done' }], conditions: [] })).rejects.toThrow('Invalid option');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('moves a task given a project to its project in byScope, in the same UpdateItem', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: { ...item, projectId: 'p-1', gsi4pk: 'PROJECT#p-1', version: 4 } });

    // Act
    const result = await store.update(ID, { set: [{ path: ['projectId'], value: 'p-1' }], conditions: [] });

    // Assess
    expect(result).toStrictEqual({ applied: true, task: { ...task, projectId: 'p-1', version: 4 } });
    expect(ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        TableName: 'assent',
        Key: { pk: `TASK#${ID}`, sk: 'TASK' },
        UpdateExpression: 'SET #p0 = :s0, #version = #version + :one, gsi4pk = :gsi4pk',
        ConditionExpression: LIVE,
        ExpressionAttributeNames: { '#version': 'version', '#p0': 'projectId' },
        ExpressionAttributeValues: { ':s0': 'p-1', ':one': 1, ':gsi4pk': 'PROJECT#p-1', ':now': NOW / 1000 },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('refuses to remove a task\'s project, or to give it an empty one, before sending anything', async () => {
    // Act & Assess
    await expect(store.update(ID, { remove: [['projectId']], conditions: [] })).rejects.toThrow('A task keeps its project: projectId (and its byScope entry) cannot be removed.');
    await expect(store.update(ID, { set: [{ path: ['projectId'], value: '' }], conditions: [] })).rejects.toThrow('Task projectId must be a non-empty string, not "".');
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('DynamoDbTaskStore reads', () => {
  it('reads a task consistently, without its keys', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: item });

    // Act
    const read = await store.get(ID);

    // Assess
    expect(read).toStrictEqual(task);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toStrictEqual({ TableName: 'assent', Key: { pk: `TASK#${ID}`, sk: 'TASK' }, ConsistentRead: true });
  });

  it('never answers a task whose TTL has passed, even before DynamoDB deletes it', async () => {
    // Prepare
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { ...item, expiresAt: NOW / 1000 } })
      .resolvesOnce({ Item: { ...item, expiresAt: NOW / 1000 + 1 } });

    // Act
    const reads = [await store.get(ID), await store.get(ID)];

    // Assess
    expect(reads).toStrictEqual([undefined, { ...task, expiresAt: NOW / 1000 + 1 }]);
  });

  it('turns throttling of a read into TransientError', async () => {
    // Prepare
    ddb.on(GetCommand).rejects(throttled());

    // Act & Assess
    await expect(store.get(ID)).rejects.toBeInstanceOf(TransientError);
  });

  it('reads many tasks with consistent BatchGetItem in chunks of 100, asking again for unprocessed keys', async () => {
    // Prepare
    const ids = Array.from({ length: 150 }, (_, index) => `T${String(index).padStart(3, '0')}`);
    const keyOf = (id: string) => ({ pk: `TASK#${id}`, sk: 'TASK' });
    const itemOf = (id: string) => ({ ...keyOf(id), ...task, id });
    ddb
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
        const requested = (input.RequestItems.assent?.Keys ?? []).map((key) => key.pk.slice('TASK#'.length));
        // The first request of the first chunk leaves its last key unprocessed.
        if (requested.length === 100) return { Responses: { assent: requested.slice(0, 99).map(itemOf) }, UnprocessedKeys: { assent: { Keys: [keyOf('T099')] } } };
        return { Responses: { assent: requested.filter((id) => id !== 'T149').map(itemOf) } };
      });

    // Act
    const tasks = await store.getMany([...ids, 'T000']);

    // Assess
    expect(tasks).toStrictEqual(ids.slice(0, 149).map((id) => ({ ...task, id })));
    expect(ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input)).toStrictEqual([
      { RequestItems: { assent: { Keys: ids.slice(0, 100).map(keyOf), ConsistentRead: true } } },
      { RequestItems: { assent: { Keys: ids.slice(100).map(keyOf), ConsistentRead: true } } },
      { RequestItems: { assent: { Keys: [keyOf('T099')], ConsistentRead: true } } },
    ]);
  });

  it('gives up on keys that stay unprocessed with TransientError', async () => {
    // Prepare
    jest.useFakeTimers();
    ddb.on(BatchGetCommand).resolves({ Responses: { assent: [] }, UnprocessedKeys: { assent: { Keys: [{ pk: `TASK#${ID}`, sk: 'TASK' }] } } });

    // Act
    const read = store.getMany([ID]);
    const outcome = expect(read).rejects.toStrictEqual(new TransientError('Reading tasks: 1 keys stayed unprocessed'));
    await jest.runAllTimersAsync();

    // Assess
    await outcome;
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(6);
    jest.useRealTimers();
  });
});

describe('DynamoDbTaskStore.list', () => {
  const entry = (id: string, minute: number) => ({
    pk: `TASK#${id}`,
    sk: 'TASK',
    gsi1pk: 'STATUS#pending',
    gsi1sk: `2026-11-23T10:0${minute}:00.000Z#${id}`,
    type: 'sign-up',
    createdBy: { sub: 'ann', roles: [] },
  });
  const full = (id: string, minute: number) => ({ ...item, ...entry(id, minute), id, createdAt: `2026-11-23T10:0${minute}:00.000Z` });

  it('queries the index with the filters it holds, then reads the items, in index order', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [entry('T3', 3), entry('T2', 2), entry('T1', 1)], LastEvaluatedKey: { pk: 'TASK#T1', sk: 'TASK', gsi1pk: 'STATUS#pending', gsi1sk: 'x' } });
    ddb.on(BatchGetCommand).resolves({ Responses: { assent: [full('T1', 1), full('T3', 3), full('T2', 2)] } });

    // Act
    const page = await store.list({ status: 'pending', type: 'sign-up', requester: 'ann', createdFrom: '2026-11-23T10:00:00.000Z', createdTo: '2026-11-23T11:00:00.000Z', limit: 2 });

    // Assess
    expect(page).toStrictEqual({
      items: [
        { ...task, id: 'T3', createdAt: '2026-11-23T10:03:00.000Z' },
        { ...task, id: 'T2', createdAt: '2026-11-23T10:02:00.000Z' },
      ],
      cursor: Buffer.from(JSON.stringify({ pk: 'TASK#T2', sk: 'TASK', gsi1pk: 'STATUS#pending', gsi1sk: '2026-11-23T10:02:00.000Z#T2' })).toString('base64url'),
    });
    expect(ddb.commandCalls(QueryCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        TableName: 'assent',
        IndexName: 'byStatus',
        ScanIndexForward: false,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        FilterExpression: '#type = :type AND createdBy.#sub = :requester',
        ExpressionAttributeNames: { '#pk': 'gsi1pk', '#sk': 'gsi1sk', '#type': 'type', '#sub': 'sub' },
        ExpressionAttributeValues: {
          ':pk': 'STATUS#pending',
          ':from': '2026-11-23T10:00:00.000Z',
          ':to': '2026-11-23T11:00:00.000Z~',
          ':type': 'sign-up',
          ':requester': 'ann',
        },
        Limit: 100,
      },
    ]);
    expect(ddb.commandCalls(BatchGetCommand).map((call) => call.args[0].input)).toStrictEqual([
      { RequestItems: { assent: { Keys: ['T3', 'T2', 'T1'].map((id) => ({ pk: `TASK#${id}`, sk: 'TASK' })), ConsistentRead: true } } },
    ]);
  });

  it('asks an unfiltered index for one more entry than the page holds, and starts at the cursor', async () => {
    // Prepare
    const cursor = Buffer.from(JSON.stringify({ pk: 'TASK#T9', sk: 'TASK', gsi3pk: 'TASKS', gsi3sk: 'k' })).toString('base64url');
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    const page = await store.list({ limit: 5, cursor });

    // Assess
    expect(page).toStrictEqual({ items: [] });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      IndexName: 'byCreated',
      ScanIndexForward: false,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'gsi3pk' },
      ExpressionAttributeValues: { ':pk': 'TASKS' },
      Limit: 6,
      ExclusiveStartKey: { pk: 'TASK#T9', sk: 'TASK', gsi3pk: 'TASKS', gsi3sk: 'k' },
    });
  });

  it('refuses a forged cursor without asking DynamoDB, and one DynamoDB refuses', async () => {
    // Prepare
    const refused = new BadRequestError('The cursor is not one this API returned; start again without it.');
    const wrongIndex = Buffer.from(JSON.stringify({ pk: 'TASK#T9', sk: 'TASK' })).toString('base64url');
    ddb.on(QueryCommand).rejects(Object.assign(new Error('The provided starting key is invalid'), { name: 'ValidationException', $metadata: {} }));

    // Act & Assess
    await expect(store.list({ type: 'sign-up', limit: 5, cursor: '%%%' })).rejects.toStrictEqual(refused);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    await expect(store.list({ type: 'sign-up', limit: 5, cursor: wrongIndex })).rejects.toStrictEqual(refused);
  });

  it('counts each status with Select COUNT on byStatus, every page', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Count: 0 });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'STATUS#pending' } })
      .resolvesOnce({ Count: 2, LastEvaluatedKey: { pk: 'x' } })
      .resolvesOnce({ Count: 3 });

    // Act
    const counts = await store.countByStatus();

    // Assess
    expect(counts).toStrictEqual({ pending: 5, approved: 0, awaiting_token: 0, completed: 0, rejected: 0, cancelled: 0, failed: 0, expired: 0 });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toStrictEqual({
      TableName: 'assent',
      IndexName: 'byStatus',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'STATUS#pending' },
      Select: 'COUNT',
    });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(9);
  });
});

describe('DynamoDbTaskStore.list with a scope', () => {
  const at = (minute: number) => `2026-11-23T10:0${minute}:00.000Z`;
  const scoped = (id: string, minute: number, scope: string) => ({ pk: `TASK#${id}`, sk: 'TASK', gsi4pk: scope, gsi3sk: `${at(minute)}#${id}`, type: 'invite-user', createdBy: { sub: 'ann', roles: [] } });
  const fullOf = (entry: ReturnType<typeof scoped>) => ({ ...item, ...entry, id: entry.pk.slice(5), createdAt: entry.gsi3sk.split('#')[0] as string });
  const taskOf = (id: string, minute: number) => ({ ...task, type: 'invite-user', id, createdAt: at(minute) });
  const cursorOf = (before: string) => Buffer.from(JSON.stringify({ before })).toString('base64url');
  /** BatchGetItem answers the full items of the keys asked for (of a copy: the store consumes the Items a query answers). */
  const answerReads = (entries: ReturnType<typeof scoped>[]) => {
    const known = [...entries];
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => ({
      Responses: { assent: (input.RequestItems.assent?.Keys ?? []).flatMap((key) => known.filter((entry) => entry.pk === key.pk).map(fullOf)) },
    }));
  };

  it('queries byScope once per part, with the filters the index holds and the status on the items, and merges the parts newest first', async () => {
    // Prepare
    const own = [scoped('T4', 4, 'REQUESTER#ann'), scoped('T1', 1, 'REQUESTER#ann')];
    const project = [scoped('T3', 3, 'PROJECT#p-1'), scoped('T2', 2, 'PROJECT#p-1')];
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'REQUESTER#ann' } }).resolves({ Items: own });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'PROJECT#p-1' } }).resolves({ Items: project });
    answerReads([...own, ...project]);

    // Act
    const page = await store.list({ scope: [{ requester: 'ann' }, { project: 'p-1' }], status: 'pending', type: 'invite-user', createdFrom: at(0), limit: 2 });

    // Assess
    expect(page).toStrictEqual({ items: [taskOf('T4', 4), taskOf('T3', 3)], cursor: cursorOf(`${at(3)}#T3`) });
    const query = (pk: string) => ({
      TableName: 'assent',
      IndexName: 'byScope',
      ScanIndexForward: false,
      KeyConditionExpression: '#pk = :pk AND #sk >= :from',
      FilterExpression: '#type = :type',
      ExpressionAttributeNames: { '#pk': 'gsi4pk', '#sk': 'gsi3sk', '#type': 'type' },
      ExpressionAttributeValues: { ':pk': pk, ':from': at(0), ':type': 'invite-user' },
      Limit: 100,
    });
    expect(ddb.commandCalls(QueryCommand).map((call) => call.args[0].input)).toStrictEqual([query('REQUESTER#ann'), query('PROJECT#p-1')]);
  });

  it("reads a member's part of their project by requester, and starts every part below the cursor", async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    const page = await store.list({ scope: [{ requester: 'ann' }, { project: 'p-1', requester: 'ann' }], limit: 5, cursor: cursorOf(`${at(5)}#T5`) });

    // Assess
    expect(page).toStrictEqual({ items: [] });
    expect(ddb.commandCalls(QueryCommand).map((call) => call.args[0].input)).toStrictEqual([
      {
        TableName: 'assent',
        IndexName: 'byScope',
        ScanIndexForward: false,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'gsi4pk' },
        ExpressionAttributeValues: { ':pk': 'REQUESTER#ann' },
        Limit: 6,
        ExclusiveStartKey: { pk: 'TASK#T5', sk: 'TASK', gsi4pk: 'REQUESTER#ann', gsi3sk: `${at(5)}#T5` },
      },
      {
        TableName: 'assent',
        IndexName: 'byScope',
        ScanIndexForward: false,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: 'createdBy.#sub = :requester0',
        ExpressionAttributeNames: { '#pk': 'gsi4pk', '#sub': 'sub' },
        ExpressionAttributeValues: { ':pk': 'PROJECT#p-1', ':requester0': 'ann' },
        Limit: 100,
        ExclusiveStartKey: { pk: 'TASK#T5', sk: 'TASK', gsi4pk: 'PROJECT#p-1', gsi3sk: `${at(5)}#T5` },
      },
    ]);
  });

  it('holds back what is older than where a part stopped with more to read (so the next page misses none of it)', async () => {
    // Prepare: the project part's filter found nothing in 20 queries and stopped at minute 2; the own part is read to its end.
    const own = [scoped('T3', 3, 'REQUESTER#ann'), scoped('T1', 1, 'REQUESTER#ann')];
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'REQUESTER#ann' } }).resolves({ Items: own });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'PROJECT#p-1' } })
      .resolves({ Items: [], LastEvaluatedKey: { pk: 'TASK#T2', sk: 'TASK', gsi4pk: 'PROJECT#p-1', gsi3sk: `${at(2)}#T2` } });
    answerReads(own);

    // Act
    const page = await store.list({ scope: [{ requester: 'ann' }, { project: 'p-1' }], type: 'invite-user', limit: 5 });

    // Assess
    expect(page).toStrictEqual({ items: [taskOf('T3', 3)], cursor: cursorOf(`${at(2)}#T2`) });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(21);
  });

  it('answers nothing for an empty scope without asking DynamoDB, and refuses a cursor of another list', async () => {
    // Prepare
    const unscoped = Buffer.from(JSON.stringify({ pk: 'TASK#T9', sk: 'TASK', gsi3pk: 'TASKS', gsi3sk: 'k' })).toString('base64url');
    const refused = new BadRequestError('The cursor is not one this API returned; start again without it.');

    // Act & Assess
    await expect(store.list({ scope: [], limit: 5 })).resolves.toStrictEqual({ items: [] });
    await expect(store.list({ scope: [{ requester: 'ann' }], limit: 5, cursor: unscoped })).rejects.toStrictEqual(refused);
    await expect(store.list({ scope: [{ requester: 'ann' }], limit: 5, cursor: cursorOf('no-sort-key') })).rejects.toStrictEqual(refused);
    expect(ddb.calls()).toHaveLength(0);
  });
});
