import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../../lib/table-definition.ts';
import { waitFor } from '../ports.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DYNAMODB_LOCAL_DIR = join(root, 'node_modules', '.cache', 'dynamodb-local');
const LAUNCHER = join(root, 'local', 'dynamodb', 'LoopbackDynamoDBLocal.java');

export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts AWS's DynamoDB Local jar on 127.0.0.1 (through LoopbackDynamoDBLocal.java) with `-sharedDb`,
 * keeping its data in `dataDir` (or in memory when dataDir is undefined).
 */
export async function startDynamoDbLocal(port: number, dataDir: string | undefined): Promise<DynamoDbLocal> {
  if (!existsSync(join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar'))) {
    throw new Error('DynamoDB Local is not installed. Run `npm install` (its postinstall fetches it), or `node scripts/install-dynamodb-local.mjs`.');
  }
  const storage = dataDir === undefined ? ['-inMemory'] : ['-dbPath', dataDir];
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const classpath = `${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar')}:${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal_lib', '*')}`;
  // The launcher compiled at install time, or Java's source-file mode when javac was not there.
  const compiled = existsSync(join(DYNAMODB_LOCAL_DIR, 'launcher', 'LoopbackDynamoDBLocal.class'));
  const launcher = compiled ? ['-cp', `${join(DYNAMODB_LOCAL_DIR, 'launcher')}:${classpath}`, 'LoopbackDynamoDBLocal'] : ['-cp', classpath, LAUNCHER];
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal_lib')}`,
      '-Xmx512m',
      '-XX:TieredStopAtLevel=1',
      ...launcher,
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    // DynamoDB Local writes a metadata file into its working directory: keep it out of the repo.
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dataDir ?? tmpdir() },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`Could not run java (DynamoDB Local needs Java 17+): ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code}:\n${output}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  await Promise.race([waitFor('DynamoDB Local', () => client.send(new ListTablesCommand({})), 60_000), exited]);
  exited.catch(() => undefined);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}

export const localClient = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** Creates the table from lib/table-definition.ts unless it exists (same definition as CDK). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existing'> {
  const { partitionKey, sortKey, indexes, streamView, ttlAttribute } = tableDefinition;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A data directory from an older version may lack an index: add what is missing, as CDK would.
    const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of indexes.filter((candidate) => !existing.has(candidate.name))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [
            { AttributeName: index.partitionKey, AttributeType: 'S' },
            { AttributeName: index.sortKey, AttributeType: 'S' },
          ],
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              },
            },
          ],
        }),
      );
    }
    return 'existing';
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  const keyAttributes = new Set<string>([partitionKey, sortKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])]);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: streamView },
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute } }),
  );
  return 'created';
}
