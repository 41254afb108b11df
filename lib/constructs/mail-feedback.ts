import { Duration, Stack } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ConfigurationSet, type ConfigurationSetEventDestination, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONFIGURATION_SET_TAG, MAIL_FEEDBACK_DETAIL_TYPES } from '../../functions/streams/mail-feedback-filter.ts';
import { HandlerFunction } from './handler-function.ts';
import { acknowledge } from './nag.ts';

export interface MailFeedbackProps {
  /** The configuration set the mailer sends with; its bounces and complaints are forwarded. */
  readonly configurationSet: ConfigurationSet;
  /** Absolute path of the project root (entry file, package-lock.json). */
  readonly projectRoot: string;
  /** Retention of the handler's log group. */
  readonly logRetention: RetentionDays;
  /**
   * `POWERTOOLS_LOG_LEVEL` of the handler.
   * @default 'INFO'
   */
  readonly logLevel?: string;
}

/**
 * Bounces and complaints, to the operators: the configuration set publishes them to the account's
 * default EventBridge bus (SES publishes to no other), a rule matching this configuration set's
 * events invokes the handler (functions/streams/mail-feedback.ts), which stores and emails an
 * operator notification. Events it could not handle (after Lambda's retries) or EventBridge could
 * not deliver land in the dead-letter queue. The stack binds the table and the mailer.
 */
export class MailFeedback extends Construct {
  /** The handler. */
  readonly handler: HandlerFunction;
  /** SES bounce and complaint events from this configuration set → {@link handler}. */
  readonly rule: Rule;
  /** Events the handler failed on after its retries, or EventBridge could not deliver to it. */
  readonly deadLetterQueue: Queue;
  /** The configuration set's event destination (the default bus). */
  readonly eventDestination: ConfigurationSetEventDestination;

  constructor(scope: Construct, id: string, props: MailFeedbackProps) {
    super(scope, id);
    const bus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.eventDestination = this.publishFeedback(props.configurationSet, bus);
    this.deadLetterQueue = this.createDeadLetterQueue();
    this.handler = this.createHandler(props);
    this.rule = this.routeToHandler(props.configurationSet, bus);
  }

  /** Bounces and complaints only: deliveries and sends would invoke the handler for nothing. */
  private publishFeedback(configurationSet: ConfigurationSet, bus: ReturnType<typeof EventBus.fromEventBusName>): ConfigurationSetEventDestination {
    return configurationSet.addEventDestination('Feedback', {
      destination: EventDestination.eventBus(bus),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
  }

  private createDeadLetterQueue(): Queue {
    const queue = new Queue(this, 'DeadLetterQueue', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledge(
      queue,
      'AwsSolutions-SQS3',
      "This queue is itself the dead-letter queue: the mail feedback handler's on-failure destination and its EventBridge target's dead-letter queue (cdk-nag only recognises redrive-policy DLQs). A queue behind it would have no producer.",
    );
    return queue;
  }

  /** Two retries of a failed invocation, within six hours, then the dead-letter queue. */
  private createHandler(props: MailFeedbackProps): HandlerFunction {
    const handler = new HandlerFunction(this, 'Handler', {
      entry: `${props.projectRoot}/functions/streams/mail-feedback.ts`,
      projectRoot: props.projectRoot,
      description: 'Assent mail feedback: SES bounces and complaints, to operator notifications',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      logLevel: props.logLevel,
    });
    handler.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(this.deadLetterQueue) });
    return handler;
  }

  /** SES tags every event of a configuration set with its name (`ses:configuration-set`): only this one's. */
  private routeToHandler(configurationSet: ConfigurationSet, bus: ReturnType<typeof EventBus.fromEventBusName>): Rule {
    const rule = new Rule(this, 'Rule', {
      eventBus: bus,
      description: `Assent (${Stack.of(this).stackName}): SES bounces and complaints of its configuration set, to the mail feedback handler`,
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...MAIL_FEEDBACK_DETAIL_TYPES],
        detail: { mail: { tags: { [CONFIGURATION_SET_TAG]: [configurationSet.configurationSetName] } } },
      },
    });
    rule.addTarget(new LambdaTarget(this.handler.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(6) }));
    return rule;
  }
}
