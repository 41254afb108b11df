import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** A function whose errors and throttles raise an alarm. */
export interface WatchedFunction {
  /** Part of the alarm's id (`<name>Errors`, `<name>Throttles`). */
  readonly name: string;
  readonly function: IFunction;
  /** The Errors alarm's description: what a failed invocation of this function means and what to do. */
  readonly onErrors: string;
}

/** A dead-letter queue whose depth raises an alarm. */
export interface WatchedQueue {
  /** Part of the alarm's id (`<name>Depth`). */
  readonly name: string;
  readonly queue: IQueue;
  /** The alarm's description: what a message there means and what to do. */
  readonly onMessages: string;
}

/** A metric the application publishes, with what it means when it is above 0. */
export interface WatchedMetric {
  /** The alarm's id. */
  readonly name: string;
  readonly metric: IMetric;
  readonly onAboveZero: string;
}

export interface OperatorAlarmsProps {
  /** Addresses subscribed to the topic (SNS asks each to confirm once). @default [] */
  readonly emails?: readonly string[];
  /** Its failed executions raise an alarm. */
  readonly stateMachine: IStateMachine;
  /** What a failed execution means and what to do. */
  readonly onFailedExecutions: string;
  /** Its 5xx answers raise an alarm. */
  readonly httpApi: IHttpApi;
  /** What a 5xx answer means and what to do. */
  readonly onServerErrors: string;
  /** Each raises an alarm on Errors > 0 and on Throttles > 0. */
  readonly functions: readonly WatchedFunction[];
  /** Each raises an alarm when a message is visible. */
  readonly deadLetterQueues: readonly WatchedQueue[];
  /** Application metrics that raise an alarm above 0 (the reconciler's stranded tasks). @default [] */
  readonly metrics?: readonly WatchedMetric[];
  /**
   * The period every alarm looks at; one period above the threshold raises it.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * What operators are told: one SNS topic (encrypted with a key of its own that CloudWatch may use,
 * TLS only) and alarms to it, each raised by one period above its threshold and cleared when the
 * metric goes back (no data counts as fine), each with a description saying what to do. The
 * alarms: failed executions of the workflow, 5xx answers of the HTTP API, Errors and Throttles of
 * every function, messages in every dead-letter queue, and the application metrics given.
 */
export class OperatorAlarms extends Construct {
  /** The topic every alarm notifies (alarm and OK). */
  readonly topic: Topic;
  /** The key the topic is encrypted with (rotated yearly). */
  readonly key: Key;
  /** The alarms, by id. */
  readonly alarms: ReadonlyMap<string, Alarm>;
  private readonly byId = new Map<string, Alarm>();
  private readonly period: Duration;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps) {
    super(scope, id);
    this.period = props.period ?? Duration.minutes(5);
    this.alarms = this.byId;
    this.key = this.createKey();
    this.topic = this.createTopic();
    this.subscribe(props.emails ?? []);
    this.alarmOnWorkflow(props);
    this.alarmOnApi(props);
    for (const watched of props.functions) this.alarmOnFunction(watched);
    for (const watched of props.deadLetterQueues) this.alarmAboveZero(`${watched.name}Depth`, watched.queue.metricApproximateNumberOfMessagesVisible({ period: this.period, statistic: 'Maximum' }), watched.onMessages);
    for (const watched of props.metrics ?? []) this.alarmAboveZero(watched.name, watched.metric, watched.onAboveZero);
  }

  /**
   * CloudWatch publishes to an encrypted topic only with a customer managed key whose policy lets
   * it (the AWS managed SNS key cannot be granted to a service). Without a condition, as AWS
   * documents it: the topic's policy is what admits only this account's alarms.
   */
  private createKey(): Key {
    const key = new Key(this, 'TopicKey', {
      description: 'Assent: encrypts the operators alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    return key;
  }

  /** TLS only; CloudWatch alarms of this account may publish. */
  private createTopic(): Topic {
    const topic = new Topic(this, 'Topic', { displayName: 'Assent alarms', masterKey: this.key, enforceSSL: true });
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
        },
      }),
    );
    return topic;
  }

  private subscribe(emails: readonly string[]): void {
    for (const email of emails) this.topic.addSubscription(new EmailSubscription(email));
  }

  private alarmOnWorkflow(props: OperatorAlarmsProps): void {
    this.alarmAboveZero('WorkflowExecutionsFailed', props.stateMachine.metricFailed({ period: this.period, statistic: 'Sum' }), props.onFailedExecutions);
  }

  private alarmOnApi(props: OperatorAlarmsProps): void {
    this.alarmAboveZero('HttpApi5xx', props.httpApi.metricServerError({ period: this.period, statistic: 'Sum' }), props.onServerErrors);
  }

  private alarmOnFunction({ name, function: fn, onErrors }: WatchedFunction): void {
    this.alarmAboveZero(`${name}Errors`, fn.metricErrors({ period: this.period, statistic: 'Sum' }), onErrors);
    this.alarmAboveZero(
      `${name}Throttles`,
      fn.metricThrottles({ period: this.period, statistic: 'Sum' }),
      `Lambda throttled invocations of ${name}: the account's concurrency (or the function's) is used up, and the invocations wait or fail. Find what floods it (the other functions' invocations, a retry loop), or raise the quota: Service Quotas > AWS Lambda > Concurrent executions.`,
    );
  }

  /** Raised by one period above 0, cleared below; a period without data is fine (nothing failed). */
  private alarmAboveZero(id: string, metric: IMetric, description: string): Alarm {
    if (this.byId.has(id)) throw new Error(`Two operator alarms are named ${id}; give the watched resources distinct names.`);
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.byId.set(id, alarm);
    return alarm;
  }
}
