import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '#local/dynamodb/dynamodb-local';
import { endpoints, unique } from '../support/stack.ts';

/**
 * A table of its own for each test on the stack's DynamoDB Local, made by `ensureTable` from
 * lib/table-definition.ts like the stack's (lists and counts then see only what the test wrote), and
 * deleted after it: DynamoDB Local stops deleting indexes once some dozens of tables with TTL exist.
 * Call it at the top of a test file; it answers the function that makes the next table.
 */
export function useFreshTables(): () => Promise<{ client: DynamoDBDocumentClient; tableName: string }> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  let raw: DynamoDBClient | undefined;
  let client: DynamoDBDocumentClient | undefined;
  const tables: string[] = [];

  afterEach(async () => {
    for (const tableName of tables.splice(0)) await raw?.send(new DeleteTableCommand({ TableName: tableName }));
  });

  afterAll(() => {
    client?.destroy();
    raw?.destroy();
  });

  return async () => {
    raw ??= new DynamoDBClient({ endpoint: endpoints().services.dynamodb, region: 'us-east-1', credentials });
    client ??= DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    const tableName = `contract-${unique()}`;
    await ensureTable(raw, tableName);
    tables.push(tableName);
    return { client, tableName };
  };
}
