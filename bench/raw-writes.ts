/**
 * The floor of benchmark 1: how many writes per second DynamoDB Local takes when nothing but an SDK
 * client sends them. The items are copies of a real task item (same size, same three index keys,
 * so index maintenance is included) under keys of their own; PutItem creates them with the
 * engine's create condition, UpdateItem bumps their version with a condition, as a save does.
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

export interface RawWriteResult {
  readonly operation: 'PutItem' | 'UpdateItem' | 'PutItem+UpdateItem';
  readonly writes: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Write request units DynamoDB Local reported per write. */
  readonly unitsPerWrite: number;
}

export interface RawWriteOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** A task's id whose stored item is copied. */
  readonly templateTaskId: string;
  /** Writes in flight at once. */
  readonly concurrency: number;
  /** Writes of each kind. */
  readonly writes: number;
  /** Distinguishes this run's keys from another's on the same table. */
  readonly label: string;
}

/** The stored item of a task, as raw attribute values (read directly, not through the proxy). */
export async function taskItem(client: DynamoDBClient, tableName: string, taskId: string): Promise<Record<string, AttributeValue>> {
  const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `TASK#${taskId}` }, sk: { S: 'TASK' } }, ConsistentRead: true }));
  if (!Item) throw new Error(`Task ${taskId} is not in ${tableName}`);
  return Item;
}

/** Approximate DynamoDB item size (names plus values, as DynamoDB counts it), in bytes. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  const valueBytes = (value: AttributeValue): number => {
    if (value.S !== undefined) return Buffer.byteLength(value.S);
    if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
    if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
    if (value.B !== undefined) return value.B.length;
    if (value.L !== undefined) return 3 + value.L.reduce((sum, entry) => sum + 1 + valueBytes(entry), 0);
    if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [key, entry]) => sum + 1 + Buffer.byteLength(key) + valueBytes(entry), 0);
    if (value.SS !== undefined) return value.SS.reduce((sum, entry) => sum + Buffer.byteLength(entry), 0);
    if (value.NS !== undefined) return value.NS.reduce((sum, entry) => sum + entry.length, 0);
    return 0;
  };
  return Object.entries(item).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + valueBytes(value), 0);
}

async function pool(count: number, concurrency: number, job: (index: number) => Promise<number>): Promise<{ seconds: number; units: number }> {
  let next = 0;
  let units = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        const consumed = await job(index);
        units += consumed;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, units };
}

/**
 * PutItem `writes` new copies of the task item, then UpdateItem each of them once, then both kinds
 * interleaved (half new puts, half updates), each at `concurrency`.
 */
export async function measureRawWrites(options: RawWriteOptions): Promise<RawWriteResult[]> {
  const { client, tableName, concurrency, writes, label } = options;
  const template = await taskItem(client, tableName, options.templateTaskId);
  const keyOf = (kind: string, index: number) => `BENCH#${label}-${kind}-${index}`;
  const put = async (kind: string, index: number) => {
    const id = keyOf(kind, index);
    const item: Record<string, AttributeValue> = {
      ...template,
      pk: { S: id },
      gsi1sk: { S: `${template.gsi1sk?.S ?? ''}#${id}` },
      gsi2sk: { S: `${template.gsi2sk?.S ?? ''}#${id}` },
      gsi3sk: { S: `${template.gsi3sk?.S ?? ''}#${id}` },
    };
    const { ConsumedCapacity } = await client.send(
      new PutItemCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)', ReturnConsumedCapacity: 'TOTAL' }),
    );
    return ConsumedCapacity?.CapacityUnits ?? 0;
  };
  const update = async (kind: string, index: number) => {
    const { ConsumedCapacity } = await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: keyOf(kind, index) }, sk: template.sk ?? { S: 'TASK' } },
        UpdateExpression: 'SET #version = #version + :one, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':now': { S: new Date().toISOString() } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return ConsumedCapacity?.CapacityUnits ?? 0;
  };
  const result = (operation: RawWriteResult['operation'], count: number, run: { seconds: number; units: number }): RawWriteResult => ({
    operation,
    writes: count,
    seconds: run.seconds,
    perSecond: count / run.seconds,
    unitsPerWrite: run.units / count,
  });
  const puts = await pool(writes, concurrency, (index) => put('p', index));
  const updates = await pool(writes, concurrency, (index) => update('p', index));
  const mixed = await pool(writes, concurrency, (index) => (index % 2 === 0 ? put('m', index) : update('p', index)));
  return [result('PutItem', writes, puts), result('UpdateItem', writes, updates), result('PutItem+UpdateItem', writes, mixed)];
}
