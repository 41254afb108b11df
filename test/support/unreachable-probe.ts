import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTaskStore } from '#adapters/dynamodb/task-store';
import { defaultClients } from '#functions/app';

/**
 * Reads a task through the app's DynamoDB client at the endpoint given as the first argument and
 * prints how that failed, as JSON. Run as a process of its own (test/integration/unreachable.test.ts
 * does), the SDK and Node's network errors share one realm as on Lambda: under Jest they do not, and
 * the SDK keeps only the text of such an error.
 */
const endpoint = process.argv[2] ?? '';
const store = new DynamoDbTaskStore({
  client: DynamoDBDocumentClient.from(defaultClients.dynamodb({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })),
  tableName: 'unreachable',
});
try {
  await store.get('T1');
  process.stdout.write(JSON.stringify({ answered: true }));
} catch (error) {
  const { name, message, status, cause } = error as Error & { status?: number; cause?: { name?: string; code?: string; $metadata?: { attempts?: number } } };
  process.stdout.write(JSON.stringify({ name, message, status, cause: { name: cause?.name, code: cause?.code, attempts: cause?.$metadata?.attempts } }));
}
