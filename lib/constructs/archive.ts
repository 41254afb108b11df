import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, type Function as LambdaFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/env-names.ts';
import { HandlerFunction } from './handler-function.ts';
import { acknowledge, acknowledgeWildcardResource, defaultPolicyOf } from './nag.ts';

/** Where the archiver writes (functions/streams/archive.ts: `archive/yyyy/mm/dd/...`). */
export const ARCHIVE_PREFIX = 'archive/';

export interface TaskArchiveProps {
  /** The table whose TTL deletions are archived; its stream must include old images. */
  readonly table: ITable;
  /** Absolute path of the project root (entry file, package-lock.json). */
  readonly projectRoot: string;
  /** Retention of the archiver's log group. */
  readonly logRetention: RetentionDays;
  /**
   * `POWERTOOLS_LOG_LEVEL` of the archiver.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * Days after which archive objects move to S3 Glacier Flexible Retrieval.
   * @default 90
   */
  readonly glacierAfterDays?: number;
  /**
   * Stream records per invocation.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * Retries of a failed batch (halved by bisection each time) before it goes to the dead-letter queue.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * What happens to the buckets (and every archived task) when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Archive, nothing lost: the table's stream → the archiver Lambda (TTL removals only, filtered at
 * the event source) → the archive bucket as JSON Lines by day. Failed batches are retried, split in
 * halves, and finally described in the dead-letter queue (the records stay in the stream for 24 h).
 */
export class TaskArchive extends Construct {
  /** Archived records: versioned, SSE-S3, private, TLS only, to Glacier after {@link TaskArchiveProps.glacierAfterDays}. */
  readonly bucket: Bucket;
  /** Server access logs of {@link bucket}. */
  readonly accessLogsBucket: Bucket;
  /** Batches the archiver could not write after every retry (as Lambda on-failure records). */
  readonly deadLetterQueue: Queue;
  /** The archiver. */
  readonly handler: HandlerFunction;

  constructor(scope: Construct, id: string, props: TaskArchiveProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.accessLogsBucket = this.createAccessLogsBucket(removalPolicy);
    this.bucket = this.createBucket(removalPolicy, props.glacierAfterDays ?? 90);
    this.deadLetterQueue = this.createDeadLetterQueue();
    this.handler = this.createHandler(props);
    this.bindBucket();
    this.subscribe(props);
  }

  /** cdk-nag's S1 does not apply to it: it is a log destination (logging it into itself would loop). */
  private createAccessLogsBucket(removalPolicy: RemovalPolicy): Bucket {
    return new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy,
    });
  }

  private createBucket(removalPolicy: RemovalPolicy, glacierAfterDays: number): Bucket {
    return new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'archive-bucket/',
      lifecycleRules: [{ id: 'ToGlacier', transitions: [{ storageClass: StorageClass.GLACIER, transitionAfter: Duration.days(glacierAfterDays) }] }],
      removalPolicy,
    });
  }

  private createDeadLetterQueue(): Queue {
    const queue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      queue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue: the on-failure destination of the archiver\'s stream event source mapping (cdk-nag only recognises redrive-policy DLQs). A queue behind it would have no producer.',
    );
    return queue;
  }

  private createHandler(props: TaskArchiveProps): HandlerFunction {
    return new HandlerFunction(this, 'Archiver', {
      entry: `${props.projectRoot}/functions/streams/archive.ts`,
      projectRoot: props.projectRoot,
      description: 'Assent archiver: records TTL deleted from the table, to S3 as JSON Lines',
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      logLevel: props.logLevel,
    });
  }

  /**
   * For a function that answers "archived, and where" for a missing task: sets
   * `ASSENT_ARCHIVE_BUCKET` and grants `s3:GetObject` on the task index entries only
   * (`archive/index/tasks/*`), never on the archived records themselves.
   */
  bindIndexReader(fn: LambdaFunction): void {
    const entries = this.bucket.arnForObjects(`${ARCHIVE_PREFIX}index/tasks/*`);
    fn.addEnvironment(ENV.archiveBucket, this.bucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [entries] }));
    acknowledgeWildcardResource(
      defaultPolicyOf(fn),
      entries,
      'Reads one index entry per archived task (archive/index/tasks/<task id>.json) to answer where a task went; not the archived records.',
    );
  }

  /** Sets `ASSENT_ARCHIVE_BUCKET` and grants `s3:PutObject` under `archive/` of this bucket, nothing else. */
  private bindBucket(): void {
    const fn = this.handler.function;
    const objects = this.bucket.arnForObjects(`${ARCHIVE_PREFIX}*`);
    fn.addEnvironment(ENV.archiveBucket, this.bucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
    acknowledgeWildcardResource(
      defaultPolicyOf(fn),
      objects,
      'The archiver writes new objects whose keys it derives from the stream (archive/yyyy/mm/dd/<sequence number>-<count>.jsonl); s3:PutObject is limited to that prefix of this one bucket.',
    );
  }

  /**
   * TTL removals only, filtered by Lambda before invoking: REMOVE records made by the DynamoDB
   * service. Stream read grants come with the event source: on this table's stream only, except
   * `dynamodb:ListStreams`, which has no resource type.
   */
  private subscribe(props: TaskArchiveProps): void {
    const fn = this.handler.function;
    fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize ?? 100,
        maxBatchingWindow: Duration.seconds(30),
        retryAttempts: props.retryAttempts ?? 10,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('REMOVE'),
            userIdentity: { type: FilterRule.isEqual('Service'), principalId: FilterRule.isEqual('dynamodb.amazonaws.com') },
          }),
        ],
      }),
    );
    acknowledgeWildcardResource(
      defaultPolicyOf(fn),
      '*',
      'Active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and the stream event source (dynamodb:ListStreams) support no resource-level permissions, so they are granted on "*"; DescribeStream, GetRecords and GetShardIterator are on the table stream only.',
    );
  }
}
