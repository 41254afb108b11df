import { OUTBOX_FILTER_PATTERNS } from '../../functions/streams/outbox-filter.ts';
import { actionsOf, getAttOf, logicalIdOf, refOf, resourcesOf, type Statement, statementsOf, type Synthesized, synthesize } from './fixtures.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
});

const propertiesOf = (type: string, construct: Parameters<typeof logicalIdOf>[0]) =>
  (synthesized.template.findResources(type)[logicalIdOf(construct)] as { Properties: Record<string, unknown> } | undefined)?.Properties;

/** The statements of a role that grant a `states:` action. */
const statesStatements = (role: Parameters<typeof statementsOf>[1]): Statement[] =>
  statementsOf(synthesized.template, role).filter((statement) => actionsOf(statement).some((action) => action.startsWith('states:')));

const executionsOf = () => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:', getAttOf(synthesized.stack.workflow.stateMachine, 'Name'), ':*']],
});

/** What the stream event source grants (on the table stream), not table access. */
const STREAM_READS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];

describe('TaskRecovery: the outbox', () => {
  it('reads the table stream filtered to new tasks, retries, compensations and token completions, with retries, bisection, partial batch failures and a DLQ', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: refOf(stack.recovery.outbox.function) } }));

    // Assess
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toStrictEqual({
      EventSourceArn: getAttOf(stack.table.table, 'StreamArn'),
      FunctionName: refOf(stack.recovery.outbox.function),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      MaximumRetryAttempts: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: getAttOf(stack.recovery.deadLetterQueue, 'Arn') } },
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'TASK#' }] } } } }) },
          {
            Pattern: JSON.stringify({
              eventName: ['MODIFY'],
              dynamodb: { Keys: { pk: { S: [{ prefix: 'TASK#' }] } }, OldImage: { status: { S: ['failed'] } }, NewImage: { status: { S: ['pending', 'approved'] } } },
            }),
          },
          { Pattern: JSON.stringify({ eventName: ['MODIFY'], dynamodb: { Keys: { pk: { S: [{ prefix: 'TASK#' }] } }, NewImage: { compensation: { M: { state: { S: ['pending'] } } } } } }) },
          {
            Pattern: JSON.stringify({
              eventName: ['MODIFY'],
              dynamodb: { Keys: { pk: { S: [{ prefix: 'TASK#' }] } }, OldImage: { status: { S: ['awaiting_token'] } }, NewImage: { status: { S: ['completed'] } } },
            }),
          },
        ],
      },
    });
    expect(OUTBOX_FILTER_PATTERNS).toHaveLength(4);
  });

  it('may start executions of the task state machine only, describe its executions (the same-input check) and answer task tokens (a token submit that died before telling its execution)', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const statements = statesStatements(stack.recovery.outbox.role);

    // Assess: the token answers have no resource type (CDK merges them with the other "*" grants).
    expect(statements).toStrictEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:ListStreams', 'states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Resource: '*',
      },
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: refOf(stack.workflow.stateMachine) },
      { Effect: 'Allow', Action: 'states:DescribeExecution', Resource: executionsOf() },
    ]);
  });

  it('reads and writes the table (a compensation removes what a cancelled task created and records it), with the mailer and the bus bound', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const dynamo = statementsOf(synthesized.template, stack.recovery.outbox.role).flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:') && !STREAM_READS.includes(action));
    const environment = (propertiesOf('AWS::Lambda::Function', stack.recovery.outbox.function)?.Environment as { Variables: Record<string, unknown> }).Variables;

    // Assess
    expect([...new Set(dynamo)].sort()).toStrictEqual(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(Object.keys(environment)).toEqual(expect.arrayContaining(['ASSENT_TABLE_NAME', 'ASSENT_STATE_MACHINE_ARN', 'ASSENT_MAIL_FROM', 'ASSENT_EVENT_BUS_NAME']));
  });
});

describe('TaskRecovery: the reconciler', () => {
  it('runs every 5 minutes with a 120 s grace period as its input, and no retries (the next run is one)', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));

    // Assess
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: getAttOf(stack.recovery.reconciler.function, 'Arn'),
        Input: JSON.stringify({ graceSeconds: 120 }),
        RetryPolicy: { MaximumRetryAttempts: 0 },
      },
    });
  });

  it('starts and describes executions of the task state machine and answers task tokens (an approval nobody told its execution), nothing else of Step Functions', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const statements = statesStatements(stack.recovery.reconciler.role);

    // Assess
    expect(statements).toStrictEqual([
      {
        Effect: 'Allow',
        Action: ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Resource: '*',
      },
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: refOf(stack.workflow.stateMachine) },
      { Effect: 'Allow', Action: 'states:DescribeExecution', Resource: executionsOf() },
    ]);
  });

  it('reads and writes the table (a stranded task is failed) with its settings, the mailer and the bus bound', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const environment = (propertiesOf('AWS::Lambda::Function', stack.recovery.reconciler.function)?.Environment as { Variables: Record<string, unknown> }).Variables;
    const writes = statementsOf(synthesized.template, stack.recovery.reconciler.role).filter((statement) => actionsOf(statement).includes('dynamodb:UpdateItem'));

    // Assess
    expect(Object.keys(environment).sort()).toStrictEqual([
      'ASSENT_EVENT_BUS_NAME',
      'ASSENT_MAIL_CONFIGURATION_SET',
      'ASSENT_MAIL_FROM',
      'ASSENT_OPERATOR_EMAILS',
      'ASSENT_PUBLIC_URL',
      'ASSENT_STATE_MACHINE_ARN',
      'ASSENT_TABLE_NAME',
      'ASSENT_TRACK_ACTIONS',
      'ASSENT_TTL_MINUTES',
      'ASSENT_USER_POOL_ID',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
    ]);
    expect(writes).toHaveLength(1);
    expect(resourcesOf(writes[0] as Statement)).toContainEqual(getAttOf(stack.table.table, 'Arn'));
  });
});
