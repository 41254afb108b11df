import { METRICS_NAMESPACE, STRANDED_TASKS_METRIC } from '../../functions/schedules/reconcile.ts';
import { getAttOf, logicalIdOf, refOf, type Synthesized, synthesize } from './fixtures.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
});

interface AlarmProperties {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: { Name: string; Value: unknown }[];
  readonly Statistic: string;
  readonly Period: number;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly EvaluationPeriods: number;
  readonly TreatMissingData: string;
  readonly AlarmActions: unknown[];
  readonly OKActions: unknown[];
  readonly AlarmDescription: string;
}

/** The synthesized alarm of each id of OperatorAlarms.alarms. */
const alarmsById = ({ template, stack }: Synthesized): Record<string, AlarmProperties> => {
  const resources = template.findResources('AWS::CloudWatch::Alarm');
  return Object.fromEntries([...stack.alarms.alarms].map(([id, alarm]) => [id, resources[logicalIdOf(alarm)]?.Properties as AlarmProperties]));
};

/** What an alarm watches: namespace/metric, its dimensions, the statistic. */
const watchOf = (alarm: AlarmProperties | undefined) => alarm && { metric: `${alarm.Namespace}/${alarm.MetricName}`, dimensions: alarm.Dimensions, statistic: alarm.Statistic };

describe('OperatorAlarms: the topic', () => {
  it('is encrypted with a rotated key of its own that CloudWatch may use, and refuses publishing without TLS', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const topic = template.findResources('AWS::SNS::Topic')[logicalIdOf(stack.alarms.topic)]?.Properties;
    const key = template.findResources('AWS::KMS::Key')[logicalIdOf(stack.alarms.key)]?.Properties;

    // Assess
    expect(topic).toStrictEqual({ DisplayName: 'Assent alarms', KmsMasterKeyId: getAttOf(stack.alarms.key, 'Arn') });
    expect(key?.EnableKeyRotation).toBe(true);
    expect(key?.KeyPolicy.Statement).toContainEqual({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' });
  });

  it('admits the alarms of this account only, over TLS only', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).map((policy) => policy.Properties);

    // Assess
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Topics).toStrictEqual([refOf(stack.alarms.topic)]);
    expect(policies[0]?.PolicyDocument.Statement).toStrictEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: refOf(stack.alarms.topic),
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
        },
      }),
    ]);
  });

  it('subscribes each of alarmEmails, and nobody by default', () => {
    // Prepare
    const configured = synthesize({ alarmEmails: ['ops@example.com', 'oncall@example.com'] });

    // Act
    const subscriptions = Object.values(configured.template.findResources('AWS::SNS::Subscription')).map((subscription) => subscription.Properties);

    // Assess
    expect(subscriptions).toStrictEqual([
      { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: refOf(configured.stack.alarms.topic) },
      { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: refOf(configured.stack.alarms.topic) },
    ]);
    synthesized.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('OperatorAlarms: the alarms', () => {
  it('are raised by one 5-minute period above 0, cleared below, no data counting as fine, and notify the topic both ways', () => {
    // Act
    const alarms = Object.values(alarmsById(synthesized));

    // Assess
    expect(alarms.length).toBe(18);
    const topic = [refOf(synthesized.stack.alarms.topic)];
    for (const alarm of alarms) {
      expect({ ...alarm, Namespace: undefined, MetricName: undefined, Dimensions: undefined, Statistic: undefined, AlarmDescription: undefined }).toStrictEqual({
        Namespace: undefined,
        MetricName: undefined,
        Dimensions: undefined,
        Statistic: undefined,
        AlarmDescription: undefined,
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: topic,
        OKActions: topic,
      });
    }
  });

  it('watch the workflow\'s failed executions, the API\'s 5xx, the three dead-letter queues and the stranded tasks', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const alarms = alarmsById(synthesized);

    // Assess
    expect(watchOf(alarms.WorkflowExecutionsFailed)).toStrictEqual({ metric: 'AWS/States/ExecutionsFailed', dimensions: [{ Name: 'StateMachineArn', Value: refOf(stack.workflow.stateMachine) }], statistic: 'Sum' });
    expect(watchOf(alarms.HttpApi5xx)).toStrictEqual({ metric: 'AWS/ApiGateway/5xx', dimensions: [{ Name: 'ApiId', Value: refOf(stack.httpApi.api) }], statistic: 'Sum' });
    for (const [id, queue] of [
      ['ArchiveDeadLetterQueueDepth', stack.archive.deadLetterQueue],
      ['OutboxDeadLetterQueueDepth', stack.recovery.deadLetterQueue],
      ['MailFeedbackDeadLetterQueueDepth', stack.mailFeedback.deadLetterQueue],
    ] as const) {
      expect(watchOf(alarms[id])).toStrictEqual({ metric: 'AWS/SQS/ApproximateNumberOfMessagesVisible', dimensions: [{ Name: 'QueueName', Value: getAttOf(queue, 'QueueName') }], statistic: 'Maximum' });
    }
    expect(watchOf(alarms.StrandedTasks)).toStrictEqual({ metric: `${METRICS_NAMESPACE}/${STRANDED_TASKS_METRIC}`, dimensions: [{ Name: 'service', Value: 'assent' }], statistic: 'Maximum' });
  });

  it('watch Errors and Throttles of every function in the stack', () => {
    // Prepare
    const { template } = synthesized;
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));

    // Act
    const watched = Object.entries(alarmsById(synthesized))
      .filter(([, alarm]) => alarm.Namespace === 'AWS/Lambda')
      .map(([id, alarm]) => `${alarm.MetricName} of ${(alarm.Dimensions[0]?.Value as { Ref: string }).Ref} (${id})`);

    // Assess
    expect(functions).toHaveLength(6);
    const names = ['HttpHandler', 'StepsHandler', 'Archiver', 'Outbox', 'Reconciler', 'MailFeedbackHandler'];
    const { stack } = synthesized;
    const byName = [stack.handlers.http, stack.handlers.steps, stack.archive.handler, stack.recovery.outbox, stack.recovery.reconciler, stack.mailFeedback.handler].map((handler) => logicalIdOf(handler.function));
    expect([...byName].sort()).toStrictEqual([...functions].sort());
    expect(watched.sort()).toStrictEqual(
      names.flatMap((name, index) => [`Errors of ${byName[index]} (${name}Errors)`, `Throttles of ${byName[index]} (${name}Throttles)`]).sort(),
    );
  });

  it('each say what they mean and what to do, in their own words', () => {
    // Act
    const descriptions = Object.values(alarmsById(synthesized)).map((alarm) => alarm.AlarmDescription);

    // Assess
    expect(descriptions.filter((description) => description.length < 150 || description.length > 1024)).toStrictEqual([]);
    const errors = descriptions.filter((description) => !description.startsWith('Lambda throttled'));
    expect(new Set(errors).size).toBe(errors.length);
  });
});
