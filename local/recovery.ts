/**
 * Local mode's outbox and reconciler, run as on AWS: the outbox reads the table stream through its
 * own stream consumer (its own position file, the same filter patterns as its event source mapping),
 * and the reconciler's handler runs on a timer instead of an EventBridge schedule, with the
 * schedule's input (`graceSeconds`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { OUTBOX_FILTER_PATTERNS } from '../functions/streams/outbox-filter.ts';
import { type StreamConsumer, startStreamConsumer } from './dynamodb/stream-consumer.ts';

export interface LocalRecoveryOptions {
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly region: string;
  /** Where the outbox keeps its position in each shard. */
  readonly positionFile: string;
  /** The outbox Lambda (functions/streams/outbox.ts). */
  readonly outbox: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;
  /** The reconciler Lambda (functions/schedules/reconcile.ts). */
  readonly reconcile: (event: { graceSeconds: number }, context: Context) => Promise<unknown>;
  readonly context: (functionName: string) => Context;
  /** How often the reconciler runs. */
  readonly reconcileSeconds: number;
  /** The schedule's input: how long an open task must be unchanged before it is checked. */
  readonly graceSeconds: number;
  readonly log: (line: string) => void;
}

export interface LocalRecovery {
  readonly outbox: StreamConsumer;
  stop(): Promise<void>;
}

export function startLocalRecovery(options: LocalRecoveryOptions): LocalRecovery {
  const outbox = startStreamConsumer({
    dynamodb: options.dynamodb,
    streams: options.streams,
    tableName: options.tableName,
    region: options.region,
    positionFile: options.positionFile,
    filters: OUTBOX_FILTER_PATTERNS,
    name: 'Outbox',
    invoke: (event) => options.outbox(event, options.context('assent-outbox')),
    log: options.log,
  });
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = options
      .reconcile({ graceSeconds: options.graceSeconds }, options.context('assent-reconciler'))
      .catch((error: unknown) => options.log(`Reconciler: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        running = undefined;
      });
  }, options.reconcileSeconds * 1000);
  return {
    outbox,
    stop: async () => {
      clearInterval(timer);
      await running;
      await outbox.stop();
    },
  };
}
