import { type AttributeValue, DeleteItemCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../../lib/table-definition.ts';

export interface TtlSweeperOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Seconds between sweeps (`ASSENT_SWEEP_SECONDS`). */
  readonly intervalSeconds: number;
  /** @default Date.now */
  readonly nowMs?: () => number;
  readonly log: (line: string) => void;
}

export interface TtlSweeper {
  /** One sweep now; answers how many items it deleted. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * What DynamoDB's TTL does and DynamoDB Local does not: deletes items whose `expiresAt` (epoch
 * seconds) has passed. Each delete is conditional on the item still being expired, so an item
 * given a new `expiresAt` meanwhile stays. The stream consumer recognises these deletes by their
 * OldImage (expired when removed) and presents them as TTL deletes (see stream-consumer.ts).
 */
export function startTtlSweeper(options: TtlSweeperOptions): TtlSweeper {
  const { client, tableName } = options;
  const ttl = tableDefinition.ttlAttribute;
  const nowMs = options.nowMs ?? Date.now;

  const deleteIfExpired = async (key: Record<string, AttributeValue>, now: number): Promise<boolean> => {
    try {
      await client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: key,
          ConditionExpression: '#ttl <= :now',
          ExpressionAttributeNames: { '#ttl': ttl },
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };

  const sweep = async (): Promise<number> => {
    const now = Math.floor(nowMs() / 1000);
    let deleted = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: '#ttl <= :now',
          ProjectionExpression: '#pk, #sk',
          ExpressionAttributeNames: { '#ttl': ttl, '#pk': tableDefinition.partitionKey, '#sk': tableDefinition.sortKey },
          ExpressionAttributeValues: { ':now': { N: String(now) } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const key of page.Items ?? []) if (await deleteIfExpired(key, now)) deleted++;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  };

  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return; // the previous sweep is still going
    running = sweep()
      .then((count) => count > 0 && options.log(`TTL sweeper deleted ${count} expired item(s)`))
      .catch((error: unknown) => options.log(`TTL sweep failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        running = undefined;
      });
  }, options.intervalSeconds * 1000);

  return {
    sweep,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
