import { Match } from 'aws-cdk-lib/assertions';
import { CONFIGURATION_SET_TAG, MAIL_FEEDBACK_DETAIL_TYPES } from '../../functions/streams/mail-feedback-filter.ts';
import { getAttOf, logicalIdOf, refOf, type Synthesized, synthesize } from './fixtures.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize();
});

const propertiesOf = (type: string, construct: Parameters<typeof logicalIdOf>[0]) =>
  (synthesized.template.findResources(type)[logicalIdOf(construct)] as { Properties: Record<string, unknown> } | undefined)?.Properties;

describe('the mail configuration set', () => {
  it('sends with reputation metrics and the suppression list for bounces and complaints', () => {
    // Act
    const configurationSet = propertiesOf('AWS::SES::ConfigurationSet', synthesized.stack.mailer.configurationSet);

    // Assess
    expect(configurationSet).toStrictEqual({
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('publishes bounces and complaints only, to the default event bus (the only one SES publishes to)', () => {
    // Act
    const destination = propertiesOf('AWS::SES::ConfigurationSetEventDestination', synthesized.stack.mailFeedback.eventDestination);

    // Assess
    expect(destination).toStrictEqual({
      ConfigurationSetName: refOf(synthesized.stack.mailer.configurationSet),
      EventDestination: {
        Enabled: true,
        EventBridgeDestination: {
          EventBusArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
        },
        MatchingEventTypes: ['bounce', 'complaint'],
      },
    });
  });

  it('is named to every function that mails, with the send grant (ASSENT_MAIL_CONFIGURATION_SET)', () => {
    // Prepare
    const { stack } = synthesized;
    const mailers = [stack.handlers.http, stack.handlers.steps, stack.recovery.outbox, stack.recovery.reconciler, stack.mailFeedback.handler];

    // Act
    const names = mailers.map((handler) => (propertiesOf('AWS::Lambda::Function', handler.function)?.Environment as { Variables: Record<string, unknown> }).Variables.ASSENT_MAIL_CONFIGURATION_SET);

    // Assess
    expect(names).toStrictEqual(mailers.map(() => refOf(stack.mailer.configurationSet)));
  });
});

describe('MailFeedback', () => {
  it('routes the SES bounces and complaints of this configuration set only to the handler, with retries and the DLQ', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const rule = propertiesOf('AWS::Events::Rule', stack.mailFeedback.rule);

    // Assess
    expect(rule).toMatchObject({
      EventBusName: 'default',
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.ses'],
        'detail-type': [...MAIL_FEEDBACK_DETAIL_TYPES],
        detail: { mail: { tags: { [CONFIGURATION_SET_TAG]: [refOf(stack.mailer.configurationSet)] } } },
      },
      Targets: [
        {
          Id: 'Target0',
          Arn: getAttOf(stack.mailFeedback.handler.function, 'Arn'),
          DeadLetterConfig: { Arn: getAttOf(stack.mailFeedback.deadLetterQueue, 'Arn') },
          RetryPolicy: { MaximumEventAgeInSeconds: 21_600, MaximumRetryAttempts: 8 },
        },
      ],
    });
    expect(MAIL_FEEDBACK_DETAIL_TYPES).toStrictEqual(['Email Bounced', 'Email Complaint Received']);
  });

  it('lets only that rule invoke the handler', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: getAttOf(stack.mailFeedback.handler.function, 'Arn') } })).map((permission) => permission.Properties);

    // Assess
    expect(permissions).toStrictEqual([{ Action: 'lambda:InvokeFunction', FunctionName: getAttOf(stack.mailFeedback.handler.function, 'Arn'), Principal: 'events.amazonaws.com', SourceArn: getAttOf(stack.mailFeedback.rule, 'Arn') }]);
  });

  it('retries a failed invocation twice within 6 hours, then sends it to the dead-letter queue (encrypted, TLS only, 14 days)', () => {
    // Prepare
    const { template, stack } = synthesized;

    // Act
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig', { Properties: { FunctionName: refOf(stack.mailFeedback.handler.function) } })).map((config) => config.Properties);

    // Assess
    expect(configs).toStrictEqual([
      {
        FunctionName: refOf(stack.mailFeedback.handler.function),
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21_600,
        DestinationConfig: { OnFailure: { Destination: getAttOf(stack.mailFeedback.deadLetterQueue, 'Arn') } },
      },
    ]);
    expect(propertiesOf('AWS::SQS::Queue', stack.mailFeedback.deadLetterQueue)).toStrictEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [refOf(stack.mailFeedback.deadLetterQueue)],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('gives the handler what it reads: the table, the mailer and the public URL, nothing of the workflow or the bus', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const fn = propertiesOf('AWS::Lambda::Function', stack.mailFeedback.handler.function) as { Environment: { Variables: Record<string, unknown> }; Timeout: number; Runtime: string };

    // Assess
    expect(Object.keys(fn.Environment.Variables).sort()).toStrictEqual(
      ['ASSENT_OPERATOR_EMAILS', 'ASSENT_MAIL_CONFIGURATION_SET', 'ASSENT_MAIL_FROM', 'ASSENT_PUBLIC_URL', 'ASSENT_TABLE_NAME', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_TRACER_CAPTURE_RESPONSE'].sort(),
    );
    expect([fn.Timeout, fn.Runtime]).toStrictEqual([30, 'nodejs22.x']);
  });
});
