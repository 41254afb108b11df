/**
 * The outbox: consumes the table's DynamoDB stream (filtered by OUTBOX_FILTER_PATTERNS) and starts
 * the execution every committed task write that calls for one asks for: a new task, or an admin
 * retry's new attempt. The request that made the write usually started it first; the start has the
 * same name and input, so that one is found, not repeated. A crash between "saved" and "started"
 * cannot leave a task without its workflow.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Core } from '#core/facades';
import { getApp } from '../app.ts';
import { logger } from '../logger.ts';

/** What a record asks the outbox to start. */
export interface StartRequest {
  readonly taskId: string;
  readonly attempt: number;
}

const TASK_PREFIX = 'TASK#';
const attemptOf = (image: Record<string, { N?: string }> | undefined): number => Number(image?.attempt?.N ?? 1);

/** The execution a record asks for: a task's INSERT, or a MODIFY that moved its `attempt` on; otherwise none. */
export function startRequestOf(record: DynamoDBRecord): StartRequest | undefined {
  const pk = record.dynamodb?.Keys?.pk?.S;
  const image = record.dynamodb?.NewImage;
  if (!pk?.startsWith(TASK_PREFIX) || !image) return undefined;
  const attempt = attemptOf(image);
  if (record.eventName === 'INSERT') return { taskId: pk.slice(TASK_PREFIX.length), attempt };
  if (record.eventName === 'MODIFY' && attempt !== attemptOf(record.dynamodb?.OldImage)) return { taskId: pk.slice(TASK_PREFIX.length), attempt };
  return undefined;
}

const sequenceNumberOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? record.eventID ?? 'unknown';

/**
 * Starts what the records of `event` ask for, in stream order. On the first start that fails it stops
 * and reports that record as failed: Lambda retries from there (what was started before is found
 * started on the retry).
 */
export async function outboxBatch(event: DynamoDBStreamEvent, core: Pick<Core, 'streams'>): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    const request = startRequestOf(record);
    if (!request) continue;
    try {
      const outcome = await core.streams.startExecution(request.taskId, request.attempt);
      logger.info('Outbox', { ...request, outcome });
    } catch (error) {
      logger.error('Starting an execution failed; the batch is retried from this record', { ...request, sequenceNumber: sequenceNumberOf(record), error });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumberOf(record) }] };
    }
  }
  return { batchItemFailures: [] };
}

/** The stream's Lambda (DynamoDB event source with filter criteria and ReportBatchItemFailures). */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => outboxBatch(event, getApp('outbox').core));
