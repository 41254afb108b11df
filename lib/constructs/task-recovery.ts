import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_FILTER_PATTERNS } from '../../functions/streams/outbox-filter.ts';
import { HandlerFunction } from './handler-function.ts';
import { acknowledge, acknowledgeWildcardResource, defaultPolicyOf } from './nag.ts';

export interface TaskRecoveryProps {
  /** The table whose stream the outbox reads (new tasks and retries start executions). */
  readonly table: ITable;
  /** Absolute path of the project root (entry files, package-lock.json). */
  readonly projectRoot: string;
  /** Retention of both functions' log groups. */
  readonly logRetention: RetentionDays;
  /**
   * `POWERTOOLS_LOG_LEVEL` of both functions.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * How often the reconciler runs.
   * @default Duration.minutes(5)
   */
  readonly reconcileEvery?: Duration;
  /**
   * How long an open task must be unchanged before the reconciler checks it (the schedule's input).
   * @default 120
   */
  readonly graceSeconds?: number;
  /**
   * Retries of a failed outbox batch (halved by bisection each time) before it goes to the dead-letter queue.
   * @default 10
   */
  readonly retryAttempts?: number;
}

/**
 * Every task gets its execution, and none stays stranded: the outbox (the table's stream, filtered
 * to new tasks and retries, → StartExecution with the request's name and input) and the reconciler
 * (an EventBridge Scheduler schedule → starts executions that never started, fails tasks whose
 * execution ended behind their back). The stack binds the table, the state machine and the rest.
 */
export class TaskRecovery extends Construct {
  /** The outbox: functions/streams/outbox.ts. */
  readonly outbox: HandlerFunction;
  /** The reconciler: functions/schedules/reconcile.ts. */
  readonly reconciler: HandlerFunction;
  /** Outbox batches that failed every retry (as Lambda on-failure records). */
  readonly deadLetterQueue: Queue;
  /** The reconciler's schedule. */
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: TaskRecoveryProps) {
    super(scope, id);
    this.outbox = this.createOutbox(props);
    this.reconciler = this.createReconciler(props);
    this.deadLetterQueue = this.createDeadLetterQueue();
    this.subscribeOutbox(props);
    this.schedule = this.scheduleReconciler(props);
  }

  private createOutbox(props: TaskRecoveryProps): HandlerFunction {
    return new HandlerFunction(this, 'Outbox', {
      entry: `${props.projectRoot}/functions/streams/outbox.ts`,
      projectRoot: props.projectRoot,
      description: 'Assent outbox: starts the execution of every new or retried task, from the table stream',
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      logLevel: props.logLevel,
    });
  }

  private createReconciler(props: TaskRecoveryProps): HandlerFunction {
    return new HandlerFunction(this, 'Reconciler', {
      entry: `${props.projectRoot}/functions/schedules/reconcile.ts`,
      projectRoot: props.projectRoot,
      description: 'Assent reconciler: starts or fails open tasks whose execution is not running',
      timeout: Duration.minutes(5),
      logRetention: props.logRetention,
      logLevel: props.logLevel,
    });
  }

  private createDeadLetterQueue(): Queue {
    const queue = new Queue(this, 'DeadLetterQueue', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledge(
      queue,
      'AwsSolutions-SQS3',
      "This queue is itself the dead-letter queue: the on-failure destination of the outbox's stream event source mapping (cdk-nag only recognises redrive-policy DLQs). A queue behind it would have no producer.",
    );
    return queue;
  }

  /**
   * New tasks and retries only (OUTBOX_FILTER_PATTERNS, the patterns local mode applies too), one
   * record at a time for the shortest wait, with retries, bisection, partial batch failures and a DLQ.
   */
  private subscribeOutbox(props: TaskRecoveryProps): void {
    const fn = this.outbox.function;
    fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        retryAttempts: props.retryAttempts ?? 10,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: OUTBOX_FILTER_PATTERNS.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );
    acknowledgeWildcardResource(
      defaultPolicyOf(fn),
      '*',
      'Active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and the stream event source (dynamodb:ListStreams) support no resource-level permissions, so they are granted on "*"; DescribeStream, GetRecords and GetShardIterator are on the table stream only.',
    );
  }

  /** A rate schedule whose fixed input is the grace period; no retries of a run: the next run is one. */
  private scheduleReconciler(props: TaskRecoveryProps): Schedule {
    const role = new Role(this, 'ScheduleRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    const schedule = new Schedule(this, 'Schedule', {
      description: 'Assent reconciler: stranded open tasks',
      schedule: ScheduleExpression.rate(props.reconcileEvery ?? Duration.minutes(5)),
      target: new LambdaInvoke(this.reconciler.function, {
        input: ScheduleTargetInput.fromObject({ graceSeconds: props.graceSeconds ?? 120 }),
        retryAttempts: 0,
        role,
      }),
    });
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeWildcardResource(
        policy,
        `${this.reconciler.function.functionArn}:*`,
        "Added by the Scheduler's LambdaInvoke target: lambda:InvokeFunction on the reconciler and its versions and aliases (<arn>:*), this one function only.",
      );
    }
    return schedule;
  }
}
