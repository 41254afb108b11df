import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { Engine } from '#core/engine';
import type { ActionPorts } from '#core/action';
import { Registry } from '#core/registry';
import { systemClock } from '#ports/clock';
import { actions } from './actions/registry.ts';
import { DynamoDbTaskStore } from './adapters/dynamodb/task-store.ts';
import { DynamoDbTodoStore } from './adapters/dynamodb/todo-store.ts';
import { S3ArchiveStore } from './adapters/s3/archive-store.ts';
import { DynamoDbUserDirectory } from './adapters/dynamodb/user-directory.ts';
import { EventBridgePublisher } from './adapters/eventbridge/publisher.ts';
import { SesMailer } from './adapters/ses/mailer.ts';
import { StepFunctionsWorkflow } from './adapters/sfn/workflow.ts';
import { type Env, readEnv } from './env.ts';
import { logger } from './logger.ts';
import { type ResourceRegistry, resourceRegistry } from './resources.ts';
import { taskTypes } from './task-types.ts';

/** Everything a handler needs, built once per Lambda container (or local process). */
export interface App {
  readonly env: Env;
  readonly engine: Engine;
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
}

/**
 * The composition root: SDK clients (their endpoints come from `AWS_ENDPOINT_URL_*` when set, which
 * is how the local stack points them at the emulators), adapters, and the engine. `clients` replaces
 * some of the SDK clients, e.g. with ones that go through a fault-injecting proxy in tests.
 */
export function createApp(env: Env = readEnv(), clients: Partial<AppClients> = {}): App {
  const dynamo = DynamoDBDocumentClient.from(clients.dynamodb ?? new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const registry = new Registry(actions, taskTypes);
  const ports: ActionPorts = {
    directory: new DynamoDbUserDirectory({ client: dynamo, tableName: env.tableName }),
    todos: new DynamoDbTodoStore({ client: dynamo, tableName: env.tableName }),
    clock: systemClock,
  };
  const engine = new Engine({
    store: new DynamoDbTaskStore({ client: dynamo, tableName: env.tableName }),
    workflow: new StepFunctionsWorkflow({ client: clients.sfn ?? new SFNClient({}), stateMachineArn: env.stateMachineArn }),
    mailer: new SesMailer({ client: clients.ses ?? new SESClient({}) }),
    registry,
    ports,
    config: { publicUrl: env.publicUrl, mailFrom: env.mailFrom, adminEmails: env.adminEmails, ttlMinutes: env.ttlMinutes, trackActions: env.trackActions },
    newId: ulid,
    ...(env.archiveBucket ? { archive: new S3ArchiveStore({ client: clients.s3 ?? new S3Client({}), bucket: env.archiveBucket }) } : {}),
    onInternalError: (message, error) => logger.error(message, { error }),
    events: new EventBridgePublisher({ client: clients.eventBridge ?? new EventBridgeClient({}), eventBusName: env.eventBusName }),
  });
  return { env, engine, registry, ports, resources: resourceRegistry };
}

let app: App | undefined;
/** The process-wide app, created on first use. */
export const getApp = (): App => {
  app ??= createApp();
  return app;
};
