import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../functions/env-names.ts';
import { routes } from '../functions/http/routes.ts';
import type { AssentConfig } from './config.ts';
import { TaskArchive } from './constructs/archive.ts';
import { HandlerFunction, handlerEnvironment } from './constructs/handler-function.ts';
import { LifecycleEvents } from './constructs/events.ts';
import { AssentHttpApi, type JwtSettings } from './constructs/http-api.ts';
import { AssentIdentity } from './constructs/identity.ts';
import { MailFeedback } from './constructs/mail-feedback.ts';
import { Mailer } from './constructs/mailer.ts';
import { OperatorAlarms } from './constructs/operator-alarms.ts';
import { TaskRecovery } from './constructs/task-recovery.ts';
import { TaskTable } from './constructs/task-table.ts';
import { TaskWorkflow } from './constructs/task-workflow.ts';
import { ALARM_DESCRIPTIONS, STRANDED_TASKS } from './operator-runbook.ts';

/** The project root, whatever the working directory of `cdk` or `jest`. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export interface AssentStackProps extends StackProps {
  /** The parsed `assent` context of cdk.json (see lib/config.ts). */
  readonly config: AssentConfig;
  /**
   * The project root: entry files, the lock file and the ASL file are found from it.
   * @default PROJECT_ROOT
   */
  readonly projectRoot?: string;
}

/** The two handler groups. */
interface Handlers {
  /** HTTP API routes (`functions/http/handler.ts`). */
  readonly http: HandlerFunction;
  /** State machine steps (`functions/steps/handler.ts`). */
  readonly steps: HandlerFunction;
}

/**
 * Assent on AWS: a table, the user pool (or an existing one), two functions, the task workflow, SES sending and its bounces and
 * complaints, the HTTP API, the TTL archive, the outbox and reconciler, and the operators' alarms,
 * wired by bindings that set each environment variable together with its IAM grant.
 */
export class AssentStack extends Stack {
  readonly table: TaskTable;
  readonly identity: AssentIdentity;
  readonly handlers: Handlers;
  readonly workflow: TaskWorkflow;
  readonly mailer: Mailer;
  readonly httpApi: AssentHttpApi;
  readonly events: LifecycleEvents;
  readonly archive: TaskArchive;
  readonly recovery: TaskRecovery;
  readonly mailFeedback: MailFeedback;
  readonly alarms: OperatorAlarms;

  constructor(scope: Construct, id: string, props: AssentStackProps) {
    super(scope, id, props);
    const { config } = props;
    const root = props.projectRoot ?? PROJECT_ROOT;
    this.table = new TaskTable(this, 'TaskTable');
    this.identity = new AssentIdentity(this, 'Identity', config.userPoolId === undefined ? {} : { existingUserPoolId: config.userPoolId });
    this.handlers = this.createHandlers(root, config);
    this.workflow = this.createWorkflow(root, config);
    this.mailer = this.createMailer(config);
    this.httpApi = this.createHttpApi(config);
    this.events = new LifecycleEvents(this, 'Events', { logRetention: config.logRetentionDays as RetentionDays });
    this.archive = new TaskArchive(this, 'Archive', {
      table: this.table.table,
      projectRoot: root,
      logRetention: config.logRetentionDays as RetentionDays,
      logLevel: config.logLevel,
    });
    this.recovery = new TaskRecovery(this, 'Recovery', {
      table: this.table.table,
      projectRoot: root,
      logRetention: config.logRetentionDays as RetentionDays,
      logLevel: config.logLevel,
    });
    this.mailFeedback = new MailFeedback(this, 'MailFeedback', {
      configurationSet: this.mailer.configurationSet,
      projectRoot: root,
      logRetention: config.logRetentionDays as RetentionDays,
      logLevel: config.logLevel,
    });
    this.bindHandlers(config);
    this.bindRecovery(config);
    this.bindMailFeedback(config);
    this.alarms = this.createAlarms(config);
    this.addOutputs();
  }

  private createHandlers(root: string, config: AssentConfig): Handlers {
    const common = {
      projectRoot: root,
      logRetention: config.logRetentionDays as RetentionDays,
      logLevel: config.logLevel,
    };
    return {
      http: new HandlerFunction(this, 'HttpHandler', {
        ...common,
        entry: `${root}/functions/http/handler.ts`,
        description: 'Assent HTTP API: requesters, approvers, admins; the console',
        timeout: Duration.seconds(29),
        // The console's script and style sheet, read at run time (functions/console-assets.ts).
        assetFolders: ['console'],
      }),
      steps: new HandlerFunction(this, 'StepsHandler', {
        ...common,
        entry: `${root}/functions/steps/handler.ts`,
        description: 'Assent task workflow steps',
        timeout: Duration.seconds(60),
      }),
    };
  }

  private createWorkflow(root: string, config: AssentConfig): TaskWorkflow {
    return new TaskWorkflow(this, 'TaskWorkflow', {
      definitionFile: `${root}/stepfunctions/task-workflow.asl.json`,
      stepsFunction: this.handlers.steps.function,
      logRetention: config.logRetentionDays as RetentionDays,
    });
  }

  private createMailer(config: AssentConfig): Mailer {
    return new Mailer(this, 'Mailer', {
      senderEmail: config.senderEmail,
      sesIdentity: config.sesIdentity,
      operatorEmails: config.operators,
      sandboxRecipients: config.sesSandboxRecipients,
    });
  }

  private createHttpApi(config: AssentConfig): AssentHttpApi {
    return new AssentHttpApi(this, 'HttpApi', {
      handler: this.handlers.http.function,
      routes,
      jwt: this.jwtSettings(config),
      logRetention: config.logRetentionDays as RetentionDays,
      corsOrigins: config.corsOrigins,
      ...(config.domainName && config.certificateArn ? { customDomain: { domainName: config.domainName, certificateArn: config.certificateArn } } : {}),
    });
  }

  /** The stack-created pool's tokens by default; those the config names (userPoolId's, or jwtIssuer's) otherwise. */
  private jwtSettings(config: AssentConfig): JwtSettings {
    return config.jwt.source === 'stack-pool' ? this.identity.jwtSettings(config.jwt.rolesClaim) : config.jwt;
  }

  /**
   * Both functions read and write the table, keep accounts in the user pool, send mail, publish
   * lifecycle events, build public links and verify tokens.
   * Only the HTTP function gets the state machine's ARN (it starts and stops executions); the
   * steps function, which the state machine references, only answers task tokens.
   */
  private bindHandlers(config: AssentConfig): void {
    const { http, steps } = this.handlers;
    for (const fn of [http.function, steps.function]) {
      this.table.bindTable(fn, 'readWrite');
      this.identity.bindUserDirectory(fn);
      this.mailer.bindMailer(fn);
      this.events.bindEvents(fn);
      this.httpApi.bindPublicUrl(fn, config.publicUrl);
      this.httpApi.bindJwtSettings(fn);
      this.bindTaskSettings(fn, config);
      this.bindTaskTypeOverrides(fn, config);
    }
    this.workflow.bindStateMachine(http.function);
    this.workflow.grantTaskResponse(steps.function);
    this.archive.bindIndexReader(http.function);
  }

  /**
   * The outbox starts executions, runs compensations (undo hooks: the directory (user pool), a task write, an
   * operators' email when an undo fails, a lifecycle event) and tells an execution its token submit
   * completed; the reconciler also describes executions, resumes approved ones and fails stranded
   * tasks through the core (a task write, an operators' email, a lifecycle event), and runs the
   * approval policies' schedule: reminders and escalations (the user pool for who an escalation
   * adds, approval emails with public links).
   */
  private bindRecovery(config: AssentConfig): void {
    const { outbox, reconciler } = this.recovery;
    for (const fn of [outbox.function, reconciler.function]) {
      this.table.bindTable(fn, 'readWrite');
      this.identity.bindUserDirectory(fn);
      this.workflow.bindStarter(fn);
      // The reconciler resumes an execution nobody told of its approval; the outbox one nobody told of its token submit.
      this.workflow.grantTaskResponse(fn);
      this.mailer.bindMailer(fn);
      this.events.bindEvents(fn);
      this.httpApi.bindPublicUrl(fn, config.publicUrl);
      this.bindTaskSettings(fn, config);
      this.bindTaskTypeOverrides(fn, config);
    }
  }

  /**
   * The mail feedback handler reads the task a bounce is about and stores an operator notification
   * (put, then marked emailed): those three item actions, no index; it emails the operators.
   */
  private bindMailFeedback(config: AssentConfig): void {
    const fn = this.mailFeedback.handler.function;
    this.table.bindTable(fn, { items: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] });
    this.mailer.bindMailer(fn);
    this.httpApi.bindPublicUrl(fn, config.publicUrl);
    // It reads the notification stage of the task's type: the type as overridden.
    this.bindTaskTypeOverrides(fn, config);
  }

  /** Every function, the workflow, the API, the three dead-letter queues and the reconciler's metric. */
  private createAlarms(config: AssentConfig): OperatorAlarms {
    const watched = {
      HttpHandler: this.handlers.http,
      StepsHandler: this.handlers.steps,
      Archiver: this.archive.handler,
      Outbox: this.recovery.outbox,
      Reconciler: this.recovery.reconciler,
      MailFeedbackHandler: this.mailFeedback.handler,
    } as const;
    return new OperatorAlarms(this, 'Alarms', {
      emails: config.alarmEmails,
      stateMachine: this.workflow.stateMachine,
      onFailedExecutions: ALARM_DESCRIPTIONS.workflowFailed,
      httpApi: this.httpApi.api,
      onServerErrors: ALARM_DESCRIPTIONS.api5xx,
      functions: Object.entries(watched).map(([name, handler]) => ({ name, function: handler.function, onErrors: ALARM_DESCRIPTIONS.errors[name as keyof typeof watched] })),
      deadLetterQueues: [
        { name: 'ArchiveDeadLetterQueue', queue: this.archive.deadLetterQueue, onMessages: ALARM_DESCRIPTIONS.archiveDeadLetters },
        { name: 'OutboxDeadLetterQueue', queue: this.recovery.deadLetterQueue, onMessages: ALARM_DESCRIPTIONS.outboxDeadLetters },
        { name: 'MailFeedbackDeadLetterQueue', queue: this.mailFeedback.deadLetterQueue, onMessages: ALARM_DESCRIPTIONS.mailFeedbackDeadLetters },
      ],
      metrics: [
        {
          name: 'StrandedTasks',
          metric: new Metric({
            namespace: STRANDED_TASKS.namespace,
            metricName: STRANDED_TASKS.metricName,
            dimensionsMap: { service: handlerEnvironment().POWERTOOLS_SERVICE_NAME ?? 'assent' },
            statistic: 'Maximum',
            period: Duration.minutes(5),
          }),
          onAboveZero: ALARM_DESCRIPTIONS.strandedTasks,
        },
      ],
    });
  }

  private bindTaskSettings(fn: LambdaFunction, config: AssentConfig): void {
    fn.addEnvironment(ENV.ttlMinutes, String(config.ttlMinutes));
    fn.addEnvironment(ENV.trackActions, String(config.trackActions));
  }

  /**
   * Every function that builds the registry gets the deployment's task type overrides (checked at
   * synth by lib/config.ts, applied at start-up by functions/app.ts); none when there are none.
   */
  private bindTaskTypeOverrides(fn: LambdaFunction, config: AssentConfig): void {
    if (Object.keys(config.taskTypes).length > 0) fn.addEnvironment(ENV.taskTypeOverrides, JSON.stringify(config.taskTypes));
  }

  private addOutputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId, description: 'The Cognito user pool of Assent\'s accounts (docs/deploying.md, "The first admin")' });
    if (this.identity.client) {
      new CfnOutput(this, 'UserPoolClientId', { value: this.identity.client.userPoolClientId, description: 'The console\'s app client: sign in with it (SRP or USER_PASSWORD_AUTH)' });
    }
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'The DynamoDB table' });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.workflow.stateMachine.stateMachineArn,
      description: 'The task workflow',
    });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName, description: 'The lifecycle event bus (docs/events.md)' });
    new CfnOutput(this, 'ArchiveBucketName', { value: this.archive.bucket.bucketName, description: 'Tasks TTL removed, as JSON Lines under archive/yyyy/mm/dd/ (docs/archive.md)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'Every operator alarm notifies this topic (docs/deploying.md, "Alarms")' });
    new CfnOutput(this, 'MailConfigurationSetName', { value: this.mailer.configurationSet.configurationSetName, description: 'The SES configuration set of every email' });
    if (this.httpApi.domainName) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.httpApi.domainName.regionalDomainName,
        description: 'Point the custom domain (domainName) here: a CNAME, or a Route 53 alias with CustomDomainHostedZoneId',
      });
      new CfnOutput(this, 'CustomDomainHostedZoneId', { value: this.httpApi.domainName.regionalHostedZoneId, description: 'The hosted zone of CustomDomainTarget, for a Route 53 alias record' });
    }
  }
}
