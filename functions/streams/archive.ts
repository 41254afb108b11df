/**
 * The archiver: consumes the table's DynamoDB stream and writes every record TTL deleted to the
 * archive bucket as JSON Lines, one object per batch and removal day:
 * `archive/<yyyy>/<mm>/<dd>/<first sequence number>-<count>.jsonl` (UTC). Nothing TTL deletes is lost.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { ArchivedTaskIndex, ArchiveStore } from '#ports/archive-store';
import { archivedTaskIndexKey, S3ArchiveStore } from '../adapters/s3/archive-store.ts';
import { requestHandlerOf, SDK_TIMEOUTS } from '../adapters/sdk-timeouts.ts';
import { readEnv } from '../env.ts';
import { logger } from '../logger.ts';

/** Every archive object's key starts with this. */
export const ARCHIVE_PREFIX = 'archive/';
/** The identity DynamoDB puts on the stream records of items its TTL deleted. */
export const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** One line of an archive object. */
export interface ArchivedRecord {
  /** The stream record's sequence number (unique per stream, ordered per item). */
  readonly sequenceNumber: string;
  /** When TTL deleted the item (the record's ApproximateCreationDateTime), ISO 8601. */
  readonly removedAt: string;
  /** The item as it was when it was deleted (OldImage), as plain JSON. */
  readonly item: Record<string, unknown>;
}

/** A REMOVE that DynamoDB's TTL made (not an application DeleteItem). */
export const isTtlRemoval = (record: DynamoDBRecord): boolean =>
  record.eventName === 'REMOVE' && record.userIdentity?.type === TTL_IDENTITY.type && record.userIdentity?.principalId === TTL_IDENTITY.principalId;

/** When the record was made; records without ApproximateCreationDateTime fall back to `now`. */
export const removalTimeOf = (record: DynamoDBRecord, now: Date = new Date()): Date => {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return seconds === undefined ? now : new Date(seconds * 1000);
};

/** `archive/yyyy/mm/dd/` (UTC) of a removal time: every object of that day is under it. */
export const archivePrefixFor = (removedAt: Date): string => `${ARCHIVE_PREFIX}${removedAt.toISOString().slice(0, 10).replaceAll('-', '/')}/`;

/**
 * The key of the object holding `records` (TTL removals of one day, in stream order):
 * `archive/yyyy/mm/dd/<first sequence number>-<count>.jsonl`. A record is archived in the object of
 * its removal day whose first sequence number is at most its own.
 */
export const archiveKeyFor = (records: readonly DynamoDBRecord[], now: Date = new Date()): string => {
  const first = records[0];
  if (!first) throw new Error('An archive object needs at least one record.');
  return `${archivePrefixFor(removalTimeOf(first, now))}${sequenceNumberOf(first)}-${records.length}.jsonl`;
};

const sequenceNumberOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? record.eventID ?? 'unknown';

/** JSON for what `unmarshall` returns: sets as arrays, binaries as base64. */
const toJson = (_key: string, value: unknown): unknown => {
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
};

/** The JSON line of one TTL removal; throws if the record has no OldImage (the stream must keep old images). */
export function archiveLineOf(record: DynamoDBRecord, now: Date = new Date()): string {
  const image = record.dynamodb?.OldImage;
  if (!image) throw new Error(`Stream record ${sequenceNumberOf(record)} has no OldImage: the stream view must include old images.`);
  const line: ArchivedRecord = {
    sequenceNumber: sequenceNumberOf(record),
    removedAt: removalTimeOf(record, now).toISOString(),
    item: unmarshall(image as Record<string, SdkAttributeValue>),
  };
  return JSON.stringify(line, toJson);
}

/** Consecutive runs of records removed on the same UTC day. */
function byDay(records: readonly DynamoDBRecord[], now: Date): DynamoDBRecord[][] {
  const runs: DynamoDBRecord[][] = [];
  let day: string | undefined;
  for (const record of records) {
    const current = archivePrefixFor(removalTimeOf(record, now));
    if (current !== day || runs.length === 0) runs.push([]);
    day = current;
    runs.at(-1)?.push(record);
  }
  return runs;
}

/**
 * Archives the TTL removals of `event` (other records are skipped), one object per removal day, in
 * stream order. On the first object that cannot be written it stops and reports that object's
 * first record as failed: Lambda retries from there (earlier objects are not written again, later
 * ones are written on the retry).
 */
export async function archiveBatch(event: DynamoDBStreamEvent, store: ArchiveStore, now: Date = new Date()): Promise<DynamoDBBatchResponse> {
  for (const records of byDay(event.Records.filter(isTtlRemoval), now)) {
    try {
      const key = archiveKeyFor(records, now);
      await store.put(key, records.map((record) => archiveLineOf(record, now)));
      for (const task of records.map((record) => taskIndexOf(record, now)).filter((entry) => entry !== undefined)) {
        await store.put(archivedTaskIndexKey(task.taskId), [JSON.stringify({ ...task, location: store.locationOf(key) })]);
      }
      logger.info('Archived TTL removals', { key, count: records.length });
    } catch (error) {
      const first = records[0] as DynamoDBRecord;
      logger.error('Archiving failed; the batch is retried from this record', { sequenceNumber: sequenceNumberOf(first), error });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumberOf(first) }] };
    }
  }
  return { batchItemFailures: [] };
}

/** A task's index entry, written after its object so a lookup only finds tasks that are archived. */
function taskIndexOf(record: DynamoDBRecord, now: Date): Omit<ArchivedTaskIndex, 'location'> | undefined {
  const item = JSON.parse(archiveLineOf(record, now)).item as { pk?: string; id?: string; createdBy?: { sub?: string } | null };
  if (!item.pk?.startsWith('TASK#') || !item.id) return undefined;
  return { taskId: item.id, archivedAt: removalTimeOf(record, now).toISOString(), requester: item.createdBy?.sub ?? null };
}

let store: ArchiveStore | undefined;

/** The stream's Lambda (DynamoDB event source with ReportBatchItemFailures). */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    store ??= new S3ArchiveStore({ client: new S3Client({ requestHandler: requestHandlerOf(SDK_TIMEOUTS.s3Archive) }), bucket: readEnv(process.env, ['archiveBucket']).archiveBucket });
    return archiveBatch(event, store);
  });
