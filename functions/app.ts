import { CognitoIdentityProviderClient, type CognitoIdentityProviderClientConfig } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SESClient, type SESClientConfig } from '@aws-sdk/client-ses';
import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { ActionPorts } from '#core/action';
import { type Core, createCore } from '#core/facades';
import { Registry } from '#core/registry';
import { applyTaskTypeOverrides } from '#core/task-type-overrides';
import { systemClock } from '#ports/clock';
import type { EventPublisher } from '#ports/events';
import type { Idempotency } from '#ports/idempotency';
import { actions } from './actions/registry.ts';
import { DynamoDbDuplicateKeys } from './adapters/dynamodb/duplicate-keys.ts';
import { DynamoDbNotificationStore } from './adapters/dynamodb/notification-store.ts';
import { DynamoDbRateLimits } from './adapters/dynamodb/rate-limit-store.ts';
import { DynamoDbReconcileReports } from './adapters/dynamodb/reconcile-report-store.ts';
import { DynamoDbSecretStore } from './adapters/dynamodb/secret-store.ts';
import { DynamoDbTaskStore } from './adapters/dynamodb/task-store.ts';
import type { SingleTableOptions } from './adapters/dynamodb/table.ts';
import { DynamoDbTodoStore } from './adapters/dynamodb/todo-store.ts';
import { CognitoUserDirectory } from './adapters/cognito/user-directory.ts';
import { recognizeOwnRetriedWrites } from './adapters/dynamodb/own-retries.ts';
import { DynamoDbProjects } from './adapters/dynamodb/projects.ts';
import { EventBridgePublisher } from './adapters/eventbridge/publisher.ts';
import { MeteredEvents } from './adapters/metrics/metered-events.ts';
import { MeteredMailer } from './adapters/metrics/metered-mailer.ts';
import { S3ArchiveStore } from './adapters/s3/archive-store.ts';
import { SesMailer } from './adapters/ses/mailer.ts';
import { requestHandlerOf, SDK_TIMEOUTS } from './adapters/sdk-timeouts.ts';
import { StepFunctionsWorkflow } from './adapters/sfn/workflow.ts';
import { AnnotatedEvents, type Annotator } from './adapters/tracing/annotated-events.ts';
import { type Env, type EnvKey, readEnv } from './env.ts';
import { logger } from './logger.ts';
import { metrics as processMetrics } from './metrics.ts';
import { type ResourceRegistry, resourceRegistry } from './resources.ts';
import { taskTypes } from './task-types.ts';

/** Everything a handler needs, built once per Lambda container (or local process). */
export interface App {
  readonly env: Env;
  readonly core: Core;
  readonly registry: Registry;
  readonly ports: ActionPorts;
  readonly resources: ResourceRegistry;
}

/** The AWS SDK clients behind the adapters. */
export interface AppClients {
  readonly dynamodb: DynamoDBClient;
  readonly sfn: SFNClient;
  readonly ses: SESClient;
  readonly eventBridge: EventBridgeClient;
  readonly s3: S3Client;
  readonly cognito: CognitoIdentityProviderClient;
}

/** What each function reads from its environment (CDK binds exactly these; see lib/). */
export const FUNCTION_ENV = {
  /** The HTTP API: starts executions, reads and writes tasks, mails, publishes events (and, given the archive bucket, finds archived tasks). */
  http: ['tableName', 'userPoolId', 'stateMachineArn', 'mailFrom', 'operatorEmails', 'publicUrl', 'jwtIssuer', 'jwtAudience', 'jwksUrl', 'rolesClaim', 'ttlMinutes', 'trackActions', 'eventBusName', 'taskTypeOverrides', 'mailConfigurationSet'],
  /** The state machine's steps: answer task tokens, never start executions (the state machine refers to them). */
  steps: ['tableName', 'userPoolId', 'mailFrom', 'operatorEmails', 'publicUrl', 'ttlMinutes', 'trackActions', 'eventBusName', 'taskTypeOverrides', 'mailConfigurationSet'],
  /** The table stream's outbox: starts executions, runs compensations (task writes, mail when an undo fails, events). */
  outbox: ['tableName', 'userPoolId', 'stateMachineArn', 'mailFrom', 'operatorEmails', 'publicUrl', 'ttlMinutes', 'trackActions', 'eventBusName', 'taskTypeOverrides', 'mailConfigurationSet'],
  /** The scheduled reconciler: reads tasks, describes and starts executions, fails stranded tasks (mail, events). */
  reconcile: ['tableName', 'userPoolId', 'stateMachineArn', 'mailFrom', 'operatorEmails', 'publicUrl', 'ttlMinutes', 'trackActions', 'eventBusName', 'taskTypeOverrides', 'mailConfigurationSet'],
  /** SES's bounces and complaints: read the task, store and email an operator notification. */
  mailFeedback: ['tableName', 'mailFrom', 'operatorEmails', 'publicUrl', 'taskTypeOverrides', 'mailConfigurationSet'],
} as const satisfies Record<string, readonly EnvKey[]>;

export type AppRole = keyof typeof FUNCTION_ENV;

/** What the app needs of Powertools Tracer (functions/tracer.ts): a subsegment per SDK call, annotations. */
export interface AppTracer extends Annotator {
  captureAWSv3Client<T>(client: T): T;
}

/** How a function observes itself: its business metrics and, where it traces, its tracer. */
export interface AppOptions {
  /**
   * Where lifecycle transitions and sent emails are counted (functions/adapters/metrics/).
   * @default the process-wide Metrics of functions/metrics.ts
   */
  readonly metrics?: Metrics;
  /**
   * The tracer of a traced function (HTTP and steps; the others keep the X-Ray SDK out of their
   * bundles): every SDK client traced, the trace annotated with the task of each transition.
   * @default - no SDK subsegments, no annotations
   */
  readonly tracer?: AppTracer;
  /**
   * `Idempotency-Key` handling on the single table, for the function that takes the header (HTTP:
   * adapters/powertools/idempotency.ts `dynamoDbIdempotency`). Given here rather than built for
   * every function, so Powertools Idempotency stays out of the other bundles.
   * @default - none: the core's requests.idempotent throws
   */
  readonly idempotency?: (table: SingleTableOptions) => Idempotency;
}

/** Client options besides the request handler, e.g. an endpoint or `maxAttempts` in tests. */
type ClientOptions<C> = Omit<C, 'requestHandler'>;

/**
 * The SDK clients as the app builds them: each with the connect and request timeouts of
 * adapters/sdk-timeouts.ts, so a dead or hung endpoint fails fast as a `TransientError`.
 */
export const defaultClients = {
  dynamodb: (options: ClientOptions<DynamoDBClientConfig> = {}) => new DynamoDBClient({ ...options, requestHandler: requestHandlerOf(SDK_TIMEOUTS.dynamodb) }),
  sfn: (options: ClientOptions<SFNClientConfig> = {}) => new SFNClient({ ...options, requestHandler: requestHandlerOf(SDK_TIMEOUTS.sfn) }),
  ses: (options: ClientOptions<SESClientConfig> = {}) => new SESClient({ ...options, requestHandler: requestHandlerOf(SDK_TIMEOUTS.ses) }),
  eventBridge: (options: ClientOptions<EventBridgeClientConfig> = {}) => new EventBridgeClient({ ...options, requestHandler: requestHandlerOf(SDK_TIMEOUTS.eventBridge) }),
  s3: (options: ClientOptions<S3ClientConfig> = {}) => new S3Client({ ...options, requestHandler: requestHandlerOf(SDK_TIMEOUTS.s3) }),
  cognito: (options: ClientOptions<CognitoIdentityProviderClientConfig> = {}) =>
    new CognitoIdentityProviderClient({ ...options, requestHandler: requestHandlerOf(SDK_TIMEOUTS.cognito) }),
} as const satisfies { readonly [K in keyof AppClients]: () => AppClients[K] };

/**
 * The one composition root, for Lambda and local mode alike: SDK clients (their endpoints come from
 * `AWS_ENDPOINT_URL_*` when set, which is how the local stack points them at the emulators),
 * adapters, and the core. `clients` replaces some of the SDK clients, e.g. with ones that go through
 * a fault-injecting proxy in tests. The event publisher and the mailer count what they do
 * (`options.metrics`); given `options.tracer`, every client is traced.
 */
export function createApp(env: Env = readEnv(), clients: Partial<AppClients> = {}, options: AppOptions = {}): App {
  const traced = <C>(client: C): C => options.tracer?.captureAWSv3Client(client) ?? client;
  const metrics = options.metrics ?? processMetrics;
  const dynamodb = traced(clients.dynamodb ?? defaultClients.dynamodb());
  recognizeOwnRetriedWrites(dynamodb);
  const dynamo = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const table = { client: dynamo, tableName: env.tableName };
  // The deployment's overrides first: a bad one fails start-up naming each bad field.
  const registry = new Registry(actions, applyTaskTypeOverrides(taskTypes, env.taskTypeOverrides));
  const ports: ActionPorts = {
    directory: new CognitoUserDirectory({ client: traced(clients.cognito ?? defaultClients.cognito()), userPoolId: env.userPoolId, projects: new DynamoDbProjects(table) }),
    todos: new DynamoDbTodoStore(table),
    clock: systemClock,
  };
  const core = createCore({
    tasks: new DynamoDbTaskStore(table),
    secrets: new DynamoDbSecretStore(table),
    duplicates: new DynamoDbDuplicateKeys(table),
    ...(options.idempotency ? { idempotency: options.idempotency(table) } : {}),
    notifications: new DynamoDbNotificationStore(table),
    reconcileReports: new DynamoDbReconcileReports(table),
    rateLimits: new DynamoDbRateLimits(table),
    workflow: new StepFunctionsWorkflow({ client: traced(clients.sfn ?? defaultClients.sfn()), ...(env.stateMachineArn ? { stateMachineArn: env.stateMachineArn } : {}) }),
    mailer: new MeteredMailer(new SesMailer({ client: traced(clients.ses ?? defaultClients.ses()), ...(env.mailConfigurationSet ? { configurationSetName: env.mailConfigurationSet } : {}) }), metrics),
    registry,
    ports,
    config: { publicUrl: env.publicUrl, mailFrom: env.mailFrom, operatorEmails: env.operatorEmails, ttlMinutes: env.ttlMinutes, trackActions: env.trackActions },
    newId: ulid,
    ...(env.archiveBucket ? { archive: new S3ArchiveStore({ client: traced(clients.s3 ?? defaultClients.s3()), bucket: env.archiveBucket }) } : {}),
    onInternalError: (message, error) => logger.error(message, { error }),
    events: observedEvents(new EventBridgePublisher({ client: traced(clients.eventBridge ?? defaultClients.eventBridge()), eventBusName: env.eventBusName }), metrics, options.tracer),
  });
  return { env, core, registry, ports, resources: resourceRegistry };
}

/** Lifecycle events counted, then (where the function traces) annotated on the trace, then published. */
function observedEvents(publisher: EventPublisher, metrics: Metrics, tracer: AppTracer | undefined): EventPublisher {
  const metered = new MeteredEvents(publisher, metrics);
  return tracer ? new AnnotatedEvents(metered, tracer) : metered;
}

const apps = new Map<AppRole, App>();
/**
 * The process-wide app of a function, created on first use from the variables that function has
 * (and the options of that first use: each function's handler is its one caller).
 */
export const getApp = (role: AppRole, options: AppOptions = {}): App => {
  let app = apps.get(role);
  if (!app) {
    app = createApp(readEnv(process.env, FUNCTION_ENV[role]), {}, options);
    apps.set(role, app);
  }
  return app;
};
