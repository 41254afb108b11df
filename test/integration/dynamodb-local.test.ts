import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '#local/dynamodb/dynamodb-local';
import { tableDefinition } from '../../lib/table-definition.ts';
import { endpoints, unique } from '../support/stack.ts';

/** `ensureTable` (local/dynamodb/dynamodb-local.ts) on the stack's DynamoDB Local. */
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const client = () => new DynamoDBClient({ endpoint: endpoints().services.dynamodb, region: 'us-east-1', credentials });
const indexesOf = async (tableName: string) =>
  ((await client().send(new DescribeTableCommand({ TableName: tableName }))).Table?.GlobalSecondaryIndexes ?? [])
    .map((index) => ({ name: index.IndexName, status: index.IndexStatus, projection: index.Projection }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
const wanted = [...tableDefinition.indexes]
  .map((index) => ({ name: index.name, status: 'ACTIVE', projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] } }))
  .sort((a, b) => a.name.localeCompare(b.name));

describe('ensureTable on DynamoDB Local', () => {
  it("gives the stack's table the indexes of lib/table-definition.ts, projecting only what lists filter on", async () => {
    // Act
    const indexes = await indexesOf(endpoints().services.tableName);

    // Assess
    expect(indexes).toStrictEqual(wanted);
  });

  it('rebuilds the indexes of a table made with another projection, keeping its items listed', async () => {
    // Prepare: a data directory from before the indexes projected INCLUDE.
    const tableName = `old-${unique()}`;
    const keys = [...new Set(['pk', 'sk', ...tableDefinition.indexes.flatMap((index) => [index.partitionKey, index.sortKey])])];
    await client().send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    await client().send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: 'TASK#T1' }, sk: { S: 'TASK' }, gsi3pk: { S: 'TASKS' }, gsi3sk: { S: 'x#T1' }, type: { S: 'sign-up' }, status: { S: 'pending' } },
      }),
    );

    // Act
    const state = await ensureTable(client(), tableName);

    // Assess
    expect(state).toBe('existing');
    await expect(indexesOf(tableName)).resolves.toStrictEqual(wanted);
    const { Items } = await client().send(
      new QueryCommand({ TableName: tableName, IndexName: 'byCreated', KeyConditionExpression: 'gsi3pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'TASKS' } } }),
    );
    expect(Items).toStrictEqual([{ pk: { S: 'TASK#T1' }, sk: { S: 'TASK' }, gsi3pk: { S: 'TASKS' }, gsi3sk: { S: 'x#T1' }, type: { S: 'sign-up' } }]);
    await client().send(new DeleteTableCommand({ TableName: tableName }));
  }, 60_000);

  it('adds the index a table from an older version lacks (byScope) with UpdateTable, and its existing items get their entries', async () => {
    // Prepare: a data directory from before byScope, holding a task of a requester.
    const tableName = `before-scope-${unique()}`;
    const older = tableDefinition.indexes.filter((index) => index.name !== 'byScope');
    const keys = [...new Set(['pk', 'sk', ...older.flatMap((index) => [index.partitionKey, index.sortKey])])];
    await client().send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: older.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] },
        })),
      }),
    );
    const item = { pk: { S: 'TASK#T1' }, sk: { S: 'TASK' }, gsi3pk: { S: 'TASKS' }, gsi3sk: { S: 'x#T1' }, gsi4pk: { S: 'REQUESTER#ann' }, type: { S: 'update-email' }, status: { S: 'pending' } };
    await client().send(new PutItemCommand({ TableName: tableName, Item: item }));
    const before = await indexesOf(tableName);

    // Act
    const state = await ensureTable(client(), tableName);

    // Assess
    expect([state, before.map((index) => index.name)]).toStrictEqual(['existing', ['byCreated', 'byStatus', 'byType']]);
    await expect(indexesOf(tableName)).resolves.toStrictEqual(wanted);
    const { Items } = await client().send(
      new QueryCommand({ TableName: tableName, IndexName: 'byScope', KeyConditionExpression: 'gsi4pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'REQUESTER#ann' } } }),
    );
    // The index's keys, the table's, and what it projects (not the other indexes' keys).
    expect(Items).toStrictEqual([{ pk: { S: 'TASK#T1' }, sk: { S: 'TASK' }, gsi3sk: { S: 'x#T1' }, gsi4pk: { S: 'REQUESTER#ann' }, type: { S: 'update-email' } }]);
    await client().send(new DeleteTableCommand({ TableName: tableName }));
  }, 60_000);
});
