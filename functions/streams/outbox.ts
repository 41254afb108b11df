/**
 * The outbox: consumes the table's DynamoDB stream (filtered by OUTBOX_FILTER_PATTERNS) and does
 * what every committed task write calls for: starts the execution of a new task or of an admin
 * retry's new attempt, runs the compensation a cancel (or an expiry) asked for, and tells the
 * execution of a task its token submit completed. The request that
 * made the write usually did it first; the start has the same name and input, so that one is found,
 * not repeated, and a compensation done is not run again. A crash between "saved" and "started" (or
 * "cancelled" and "undone") cannot leave a task half done.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Core } from '#core/facades';
import { getApp } from '../app.ts';
import { logger } from '../logger.ts';

/** What a record asks the outbox to do: start an attempt's execution, or undo a task's effects. */
export type OutboxRequest =
  | { readonly kind: 'start'; readonly taskId: string; readonly attempt: number }
  | { readonly kind: 'undo'; readonly taskId: string }
  | { readonly kind: 'resume-completed'; readonly taskId: string; readonly sfnToken: string };


const TASK_PREFIX = 'TASK#';
type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;
const attemptOf = (image: Image | undefined): number => Number(image?.attempt?.N ?? 1);
/** `since` of a pending compensation (what tells a new request from a failed attempt's write), else undefined. */
const pendingSince = (image: Image | undefined): string | undefined => {
  const compensation = image?.compensation?.M;
  return compensation?.state?.S === 'pending' ? (compensation.since?.S ?? '') : undefined;
};

/**
 * What a record asks for: a task's INSERT or a MODIFY that moved its `attempt` on, an execution; a
 * MODIFY that made a compensation pending (not the write of a failed attempt at it), the undo; otherwise nothing.
 */
export function outboxRequestOf(record: DynamoDBRecord): OutboxRequest | undefined {
  const pk = record.dynamodb?.Keys?.pk?.S;
  const image = record.dynamodb?.NewImage;
  if (!pk?.startsWith(TASK_PREFIX) || !image) return undefined;
  const taskId = pk.slice(TASK_PREFIX.length);
  const attempt = attemptOf(image);
  if (record.eventName === 'INSERT') return { kind: 'start', taskId, attempt };
  if (record.eventName !== 'MODIFY') return undefined;
  if (attempt !== attemptOf(record.dynamodb?.OldImage)) return { kind: 'start', taskId, attempt };
  const since = pendingSince(image);
  if (since !== undefined && since !== pendingSince(record.dynamodb?.OldImage)) return { kind: 'undo', taskId };
  const old = record.dynamodb?.OldImage;
  const waitedFor = old?.wait?.M?.kind?.S === 'token' ? old.wait.M.sfnToken?.S : undefined;
  if (old?.status?.S === 'awaiting_token' && image.status?.S === 'completed' && waitedFor) return { kind: 'resume-completed', taskId, sfnToken: waitedFor };
  return undefined;
}

const sequenceNumberOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? record.eventID ?? 'unknown';

/**
 * Does what the records of `event` ask for, in stream order. On the first that fails it stops and
 * reports that record as failed: Lambda retries from there (what was started before is found
 * started on the retry, a compensation done is not run again).
 */
export async function outboxBatch(
  event: DynamoDBStreamEvent,
  core: { readonly streams: Pick<Core['streams'], 'startExecution' | 'compensate' | 'resumeCompleted'> },
): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    const request = outboxRequestOf(record);
    if (!request) continue;
    try {
      const outcome =
        request.kind === 'start'
          ? await core.streams.startExecution(request.taskId, request.attempt)
          : request.kind === 'undo'
            ? await core.streams.compensate(request.taskId)
            : await core.streams.resumeCompleted(request.taskId, request.sfnToken);
      logger.info('Outbox', { kind: request.kind, taskId: request.taskId, ...(request.kind === 'start' ? { attempt: request.attempt } : {}), outcome });
    } catch (error) {
      logger.error('An outbox record failed; the batch is retried from it', { kind: request.kind, taskId: request.taskId, sequenceNumber: sequenceNumberOf(record), error });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumberOf(record) }] };
    }
  }
  return { batchItemFailures: [] };
}

/** The stream's Lambda (DynamoDB event source with filter criteria and ReportBatchItemFailures). */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => outboxBatch(event, getApp('outbox').core));
