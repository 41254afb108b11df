import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { tableDefinition } from '../../lib/table-definition.ts';
import { matchesFilter } from './filter-pattern.ts';

/** What DynamoDB puts on the records of its TTL deletes (functions/streams/archive.ts checks it). */
const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

export interface StreamConsumerOptions {
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly region: string;
  /** Where the position in each shard is kept, so a restart does not archive records again. */
  readonly positionFile: string;
  /** The Lambda the event source mapping invokes on AWS. */
  readonly invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
  /**
   * The event source mapping's filter patterns: only records matching one are delivered, the others
   * count as handled (as on AWS). @default - every record is delivered
   */
  readonly filters?: readonly object[];
  /** Who consumes, for the log. @default 'Archiver' */
  readonly name?: string;
  /** @default 1000 */
  readonly pollMs?: number;
  readonly log: (line: string) => void;
}

export interface StreamConsumer {
  /** Reads every shard up to its end once; answers how many records went to `invoke`. */
  poll(): Promise<number>;
  stop(): Promise<void>;
}

/** Per stream ARN, per shard: the last sequence number handled, and whether the shard is done. */
interface Positions {
  streamArn?: string;
  shards: Record<string, { sequenceNumber?: string; done?: boolean }>;
}

/**
 * The local event source mapping: reads the table's DynamoDB Local stream (DescribeTable →
 * LatestStreamArn, DescribeStream, GetShardIterator, GetRecords), turns each record into the shape
 * Lambda delivers, and invokes the consumer (the archiver, the outbox) with the records its filter
 * patterns let through, honouring `batchItemFailures` (a failed record and those after it are read
 * again on the next poll). Each consumer runs its own instance with its own position file, as each
 * event source mapping on AWS reads the stream on its own.
 *
 * DynamoDB Local has no TTL; the local sweeper deletes expired items itself, and its deletes carry
 * no identity. A REMOVE whose OldImage was expired at the time of the removal is presented with the
 * identity AWS puts on TTL deletes, so the archiver runs exactly as on AWS.
 */
export function startStreamConsumer(options: StreamConsumerOptions): StreamConsumer {
  const { dynamodb, streams } = options;
  const positions = loadPositions(options.positionFile);
  // Written aside and renamed: a kill -9 mid-write leaves the previous position, never half a file.
  const save = () => {
    writeFileSync(`${options.positionFile}.tmp`, `${JSON.stringify(positions, null, 2)}\n`);
    renameSync(`${options.positionFile}.tmp`, options.positionFile);
  };

  const streamArn = async (): Promise<string> => {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
    const arn = Table?.LatestStreamArn;
    if (!arn) throw new Error(`Table ${options.tableName} has no stream: it is created with one (lib/table-definition.ts).`);
    if (positions.streamArn !== arn) Object.assign(positions, { streamArn: arn, shards: {} });
    return arn;
  };

  const shardsOf = async (arn: string): Promise<Shard[]> => {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: start }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  };

  const readShard = async (arn: string, shardId: string): Promise<number> => {
    const position = (positions.shards[shardId] ??= {});
    if (position.done) return 0;
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: shardId,
        ...(position.sequenceNumber ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position.sequenceNumber } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    let iterator = ShardIterator;
    let handled = 0;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      const records = (page.Records ?? []).map((record) => toLambdaRecord(record, arn, options.region));
      if (records.length === 0) {
        if (!page.NextShardIterator) position.done = true;
        break;
      }
      const wanted = options.filters ? records.filter((record) => options.filters?.some((pattern) => matchesFilter(pattern, record))) : records;
      const response = wanted.length > 0 ? await options.invoke({ Records: wanted }) : undefined;
      const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
      const index = failed === undefined ? records.length : records.findIndex((record) => record.dynamodb?.SequenceNumber === failed);
      const last = records[(index < 0 ? records.length : index) - 1];
      if (last?.dynamodb?.SequenceNumber) position.sequenceNumber = last.dynamodb.SequenceNumber;
      handled += index < 0 ? records.length : index;
      save();
      if (failed !== undefined) {
        options.log(`${options.name ?? 'Archiver'} failed at stream record ${failed}; retrying on the next poll`);
        break;
      }
      iterator = page.NextShardIterator;
    }
    return handled;
  };

  const poll = async (): Promise<number> => {
    const arn = await streamArn();
    let handled = 0;
    // Parents are listed before their children: records of one item stay in order.
    for (const shard of await shardsOf(arn)) if (shard.ShardId) handled += await readShard(arn, shard.ShardId);
    return handled;
  };

  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = poll()
      .catch((error: unknown) => options.log(`Stream consumer: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        running = undefined;
      });
  }, options.pollMs ?? 1000);

  return {
    poll,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

function loadPositions(file: string): Positions {
  if (!existsSync(file)) return { shards: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as Positions;
}

/** A DynamoDB Streams record as Lambda's event source mapping delivers it (dates as epoch seconds). */
export function toLambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const created = data.ApproximateCreationDateTime;
  const removedAt = created === undefined ? undefined : Math.floor(new Date(created).getTime() / 1000);
  const lambdaRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(removedAt === undefined ? {} : { ApproximateCreationDateTime: removedAt }),
      Keys: data.Keys,
      ...(data.NewImage ? { NewImage: data.NewImage } : {}),
      ...(data.OldImage ? { OldImage: data.OldImage } : {}),
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType,
    },
  } as DynamoDBRecord;
  return isLocalTtlRemoval(record, removedAt) ? { ...lambdaRecord, userIdentity: { ...TTL_IDENTITY } } : lambdaRecord;
}

/**
 * A REMOVE of an item whose `expiresAt` had passed when it was removed: the sweeper's (TTL's)
 * delete. DynamoDB Local rounds ApproximateCreationDateTime down to the minute, so the removal
 * happened in that minute and before now: the latest it can have been is the earlier of the two.
 */
function isLocalTtlRemoval(record: StreamRecord, removedAt: number | undefined, nowMs: number = Date.now()): boolean {
  const expiresAt = record.dynamodb?.OldImage?.[tableDefinition.ttlAttribute]?.N;
  if (record.eventName !== 'REMOVE' || expiresAt === undefined) return false;
  const now = Math.floor(nowMs / 1000);
  const latestRemoval = removedAt === undefined ? now : Math.min(removedAt + 59, now);
  return Number(expiresAt) <= latestRemoval;
}
