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
  type Projection,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../../lib/table-definition.ts';
import { JavaNotFoundError, PortInUseError } from '../errors.ts';
import { waitFor } from '../ports.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DYNAMODB_LOCAL_DIR = join(root, 'node_modules', '.cache', 'dynamodb-local');
const LAUNCHER = join(root, 'local', 'dynamodb', 'LoopbackDynamoDBLocal.java');
/** What LoopbackDynamoDBLocal prints once its server listens: the port answers for this process, not another. */
const LISTENING = 'DynamoDB Local listening on 127.0.0.1';

export interface DynamoDbLocal {
  readonly endpoint: string;
  /** The JVM's process id: what `endpoints.json` lists under `pids.dynamodb` (tests pause it with SIGSTOP). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Why the JVM exited, in words that say how to fix it when they can. */
function exitError(java: string, port: number, code: number | null, output: string): Error {
  if (/UnsupportedClassVersionError/.test(output)) return new JavaNotFoundError(java, 'older than Java 17');
  if (/BindException|Address already in use/.test(output)) return new PortInUseError('DYNAMODB_PORT', port);
  return new Error(`DynamoDB Local exited with code ${code}:\n${output}`);
}

/**
 * Starts AWS's DynamoDB Local jar on 127.0.0.1 (through LoopbackDynamoDBLocal.java) with `-sharedDb`,
 * keeping its data in `dataDir` (or in memory when dataDir is undefined). `java` is the Java 17+
 * command (ASSENT_JAVA, default `java` on PATH); without one it throws {@link JavaNotFoundError}.
 */
export async function startDynamoDbLocal(port: number, dataDir: string | undefined, java = process.env.ASSENT_JAVA || 'java'): Promise<DynamoDbLocal> {
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
    java,
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
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' || error.code === 'EACCES' ? new JavaNotFoundError(java) : new Error(`Could not run ${java} (DynamoDB Local needs Java 17+): ${error.message}`)),
    );
    child.once('exit', (code) => reject(exitError(java, port, code, output)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const ready = async () => {
    if (!output.includes(LISTENING)) throw new Error('not listening yet');
    await client.send(new ListTablesCommand({}));
  };
  exited.catch(() => undefined);
  try {
    await Promise.race([waitFor('DynamoDB Local', ready, 60_000), exited]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    pid: child.pid,
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

type IndexDefinition = (typeof tableDefinition.indexes)[number];

const keySchemaOf = (index: IndexDefinition) => [
  { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
  { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
];
const projectionOf = (index: IndexDefinition): Projection => ({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] });
const sameProjection = (actual: Projection | undefined, wanted: Projection) =>
  actual?.ProjectionType === wanted.ProjectionType &&
  JSON.stringify([...(actual?.NonKeyAttributes ?? [])].sort()) === JSON.stringify([...(wanted.NonKeyAttributes ?? [])].sort());

/**
 * Creates the table from lib/table-definition.ts unless it exists (same definition as CDK). An existing
 * table (a data directory from an older version) gets the indexes it lacks, and an index whose
 * projection differs is deleted and created again.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existing'> {
  let table: TableDescription | undefined;
  try {
    table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  if (!table) {
    await createTable(client, tableName);
    return 'created';
  }
  for (const index of tableDefinition.indexes) {
    const existing = table.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === index.name);
    if (existing && sameProjection(existing.Projection, projectionOf(index))) continue;
    if (existing) await deleteIndex(client, tableName, index);
    await createIndex(client, tableName, index);
  }
  return 'existing';
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey, indexes, streamView, ttlAttribute } = tableDefinition;
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
      GlobalSecondaryIndexes: indexes.map((index) => ({ IndexName: index.name, KeySchema: keySchemaOf(index), Projection: projectionOf(index) })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: streamView },
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute } }),
  );
}

/** The index as DescribeTable shows it now (undefined once it is gone). */
async function describeIndex(client: DynamoDBClient, tableName: string, name: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === name);
}

async function deleteIndex(client: DynamoDBClient, tableName: string, index: IndexDefinition): Promise<void> {
  await client.send(new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index.name } }] }));
  await waitFor(`index ${index.name} to be deleted`, async () => {
    if (await describeIndex(client, tableName, index.name)) throw new Error(`Index ${index.name} still exists.`);
  });
}

async function createIndex(client: DynamoDBClient, tableName: string, index: IndexDefinition): Promise<void> {
  await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: index.partitionKey, AttributeType: 'S' },
        { AttributeName: index.sortKey, AttributeType: 'S' },
      ],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.name, KeySchema: keySchemaOf(index), Projection: projectionOf(index) } }],
    }),
  );
  await waitFor(`index ${index.name} to be active`, async () => {
    const status = (await describeIndex(client, tableName, index.name))?.IndexStatus;
    if (status !== 'ACTIVE') throw new Error(`Index ${index.name} is ${status ?? 'missing'}.`);
  });
}
