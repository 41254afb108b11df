import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recognizeOwnRetriedWrites } from '#adapters/dynamodb/own-retries';
import { DynamoDbSecretStore } from '#adapters/dynamodb/secret-store';
import { useFreshTables } from '../contract/fresh-tables.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { endpoints } from '../support/stack.ts';

/**
 * A conditional write DynamoDB Local applied, whose answer was lost (the proxy answers 500 after the
 * write), is sent again by the SDK, and that attempt fails its condition on the item its own first
 * attempt wrote: recognizeOwnRetriedWrites answers it as the success it was. A condition failed by
 * someone else's write still fails.
 */
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const freshTable = useFreshTables();
let proxy: FaultProxy;
let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  proxy = await startFaultProxy(endpoints().services.dynamodb);
  raw = new DynamoDBClient({ endpoint: proxy.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 3 });
  recognizeOwnRetriedWrites(raw);
  documents = DynamoDBDocumentClient.from(raw);
});

afterAll(async () => {
  raw.destroy();
  await proxy.close();
});

afterEach(() => proxy.clear());

const loseTheFirstAnswer = (operation: string) => proxy.inject({ operation, times: 1, fault: { kind: 'lost-answer' } });

describe('a conditional write whose first answer was lost', () => {
  it('PutItem (attribute_not_exists): succeeds once, and the item is there once', async () => {
    // Prepare
    const { tableName } = await freshTable();
    loseTheFirstAnswer('PutItem');

    // Act
    await documents.send(new PutCommand({ TableName: tableName, Item: { pk: 'A', sk: 'A', n: 1 }, ConditionExpression: 'attribute_not_exists(pk)' }));

    // Assess
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: { pk: 'A', sk: 'A' }, ConsistentRead: true }));
    expect([Item?.n, proxy.calls.filter((call) => call.operation === 'PutItem').map((call) => call.fault ?? 'answered')]).toStrictEqual([1, ['lost-answer', 'answered']]);
  });

  it('UpdateItem with ReturnValues ALL_NEW: answers the item as its write left it (an ADD counted once), in the document client form and in the low-level form', async () => {
    // Prepare
    const { tableName } = await freshTable();
    await documents.send(new PutCommand({ TableName: tableName, Item: { pk: 'A', sk: 'A', version: 1 } }));
    await documents.send(new PutCommand({ TableName: tableName, Item: { pk: 'B', sk: 'B', version: 1 } }));

    // Act
    loseTheFirstAnswer('UpdateItem');
    const viaDocuments = await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'A', sk: 'A' },
        UpdateExpression: 'SET version = :next REMOVE gone',
        ConditionExpression: 'version = :current',
        ExpressionAttributeValues: { ':next': 2, ':current': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    loseTheFirstAnswer('UpdateItem');
    const lowLevel = await raw.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'B' }, sk: { S: 'B' } },
        UpdateExpression: 'ADD hits :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
        ReturnValues: 'ALL_NEW',
      }),
    );

    // Assess: the stamp is there too (adapters strip it as bookkeeping).
    expect(viaDocuments.Attributes).toStrictEqual({ pk: 'A', sk: 'A', version: 2, ws: expect.any(String) });
    expect(lowLevel.Attributes).toStrictEqual({ pk: { S: 'B' }, sk: { S: 'B' }, version: { N: '1' }, hits: { N: '1' }, ws: { S: expect.any(String) } });
  });

  it('still fails a condition that another write made false', async () => {
    // Prepare
    const { tableName } = await freshTable();
    await raw.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'A' }, sk: { S: 'A' } }, ConditionExpression: 'attribute_not_exists(pk)' }));

    // Act
    const second = raw.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'A' }, sk: { S: 'A' } }, ConditionExpression: 'attribute_not_exists(pk)' }));

    // Assess
    await expect(second).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('lets a store keep its promise: a secret stored once though its first answer was lost', async () => {
    // Prepare
    const { tableName } = await freshTable();
    const store = new DynamoDbSecretStore({ client: documents, tableName });
    const record = { hash: 'h'.repeat(64), kind: 'token' as const, taskId: 'T1', round: 1, createdAt: '2026-12-02T10:00:00.000Z', validUntil: '2026-12-03T10:00:00.000Z' };
    loseTheFirstAnswer('PutItem');

    // Act
    await store.put(record);

    // Assess
    expect(await store.get(record.hash)).toStrictEqual(record);
  });
});
