/**
 * `npm start`: the whole stack on 127.0.0.1, with the same handler code and the same state machine
 * definition as on AWS. Emulators are real processes speaking AWS's protocols; the handlers reach
 * them only through `AWS_ENDPOINT_URL_*`.
 *
 * Environment: PORT (API, default 3000), MAIL_PORT (mailbox, default 8005), DYNAMODB_PORT (8000),
 * SFN_PORT (8083), EVENTS_PORT (EventBridge PutEvents, 8084), S3_PORT (archive bucket, 8085), ASSENT_HOME (data
 * directory, default .assent), ASSENT_QUIET=1 (no request log), ASSENT_SWEEP_SECONDS (how often expired items are
 * deleted, as TTL does on AWS; default 5), ASSENT_TTL_MINUTES (how long finished tasks stay; default 1440),
 * ASSENT_HANDLER_DYNAMODB_ENDPOINT (the DynamoDB endpoint the handlers use, default the DynamoDB Local started here:
 * the benchmarks put a request-counting proxy in front of it).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context } from 'aws-lambda';
import { createLocalJWKSet } from 'jose';
import * as sesEmulator from 'aws-ses-v2-local';
import { ENV } from '../functions/env-names.ts';
import { routes } from '../functions/http/routes.ts';
import { ensureTable, localClient, startDynamoDbLocal } from './dynamodb/dynamodb-local.ts';
import { startStreamConsumer } from './dynamodb/stream-consumer.ts';
import { startTtlSweeper } from './dynamodb/ttl-sweeper.ts';
import { type RecordedEvent, startEventBridgeEmulator } from './eventbridge/server.ts';
import { startGateway } from './gateway.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadLocalKeys, verifyAsApiGateway } from './jwt.ts';
import { freePort } from './ports.ts';
import { startS3Local } from './s3/s3-local.ts';
import { startSfnRunner } from './sfn/server.ts';

const HOST = '127.0.0.1';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const TABLE_NAME = 'assent-local';
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:assent-local`;
const STEPS_FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:assent-steps`;
const EVENT_BUS_NAME = 'assent-local';
const ARCHIVE_BUCKET = 'assent-archive-local';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const SWEEP_SECONDS = Number(process.env.ASSENT_SWEEP_SECONDS ?? 5);
const ADMIN_EMAILS = process.env.ASSENT_ADMIN_EMAILS ?? 'approver@assent.local';
const MAIL_FROM = process.env.ASSENT_MAIL_FROM ?? 'assent@assent.local';

const portFrom = async (name: string, fallback: number) => {
  const value = process.env[name];
  if (value === undefined) return fallback;
  const port = Number(value);
  return port === 0 ? freePort() : port;
};

/** aws-ses-v2-local is CommonJS with a default export. */
const startSesEmulator = ((sesEmulator as unknown as { default: { default?: typeof sesEmulator.default } }).default.default ??
  sesEmulator.default) as typeof sesEmulator.default;

const started = Date.now();
const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const step = async <T>(label: string, run: () => Promise<T>, detail?: (value: T) => string): Promise<T> => {
  const begin = Date.now();
  process.stdout.write(`  ▸ ${label} ...`);
  try {
    const value = await run();
    process.stdout.write(` ready (${elapsed(begin)})${detail ? `  ${detail(value)}` : ''}\n`);
    return value;
  } catch (error) {
    process.stdout.write(' FAILED\n');
    throw error;
  }
};

async function main(): Promise<void> {
  const home = resolve(process.env.ASSENT_HOME ?? '.assent');
  mkdirSync(home, { recursive: true });
  const quiet = process.env.ASSENT_QUIET === '1';
  const log = (line: string) => {
    if (!quiet) console.log(`    ${line}`);
  };
  console.log(`Assent local stack on Node.js ${process.version} (data in ${home})`);

  const [apiPort, mailPort, dynamoPort, sfnPort, eventsPort, s3Port] = await Promise.all([
    portFrom('PORT', 3000),
    portFrom('MAIL_PORT', 8005),
    portFrom('DYNAMODB_PORT', 8000),
    portFrom('SFN_PORT', 8083),
    portFrom('EVENTS_PORT', 8084),
    portFrom('S3_PORT', 8085),
  ]);

  const dynamo = await step('DynamoDB Local (AWS jar, -sharedDb)', () => startDynamoDbLocal(dynamoPort, join(home, 'dynamodb')), (d) => d.endpoint);
  const shutdown = async (code: number) => {
    await dynamo.stop().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    await step('table', () => ensureTable(localClient(dynamo.endpoint), TABLE_NAME), (state) => `${TABLE_NAME} (${state})`);
    const mailServer = (await step('SES emulator (aws-ses-v2-local)', () => startSesEmulator({ host: HOST, port: mailPort }))) as Server;
    const mailbox = `http://${HOST}:${mailPort}`;
    const eventBus = await step(
      'EventBridge PutEvents emulator',
      () => startEventBridgeEmulator({ host: HOST, port: eventsPort, file: join(home, 'events.jsonl') }),
      (emulator) => emulator.url,
    );
    const s3 = await step(
      'S3 emulator (s3rver)',
      () => startS3Local({ host: HOST, port: s3Port, directory: join(home, 's3'), bucket: ARCHIVE_BUCKET, credentials: CREDENTIALS }),
      (emulator) => `${emulator.endpoint}/${ARCHIVE_BUCKET}`,
    );
    const keys = await loadLocalKeys(join(home, 'jwt-key.json'));
    const apiUrl = `http://${HOST}:${apiPort}`;

    // The handlers' environment: exactly what CDK's bindings set on AWS, plus the emulator endpoints.
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.ASSENT_HANDLER_DYNAMODB_ENDPOINT ?? dynamo.endpoint,
      AWS_ENDPOINT_URL_SFN: `http://${HOST}:${sfnPort}`,
      AWS_ENDPOINT_URL_SES: mailbox,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBus.url,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      POWERTOOLS_SERVICE_NAME: 'assent',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      [ENV.tableName]: TABLE_NAME,
      [ENV.stateMachineArn]: STATE_MACHINE_ARN,
      [ENV.mailFrom]: MAIL_FROM,
      [ENV.adminEmails]: ADMIN_EMAILS,
      [ENV.publicUrl]: process.env.ASSENT_PUBLIC_URL ?? apiUrl,
      [ENV.jwtIssuer]: LOCAL_ISSUER,
      [ENV.jwtAudience]: LOCAL_AUDIENCE,
      [ENV.jwksUrl]: `${apiUrl}/local/jwks.json`,
      [ENV.rolesClaim]: 'roles',
      [ENV.eventBusName]: EVENT_BUS_NAME,
      [ENV.archiveBucket]: ARCHIVE_BUCKET,
    });
    // Imported after the environment is set, as Lambda loads a handler after its configuration.
    const { handler: httpHandler } = await import('../functions/http/handler.ts');
    const { handler: stepsHandler } = await import('../functions/steps/handler.ts');
    const { handler: archiveHandler } = await import('../functions/streams/archive.ts');

    const dynamoClient = localClient(dynamo.endpoint);
    const sweeper = await step(
      'TTL sweeper (deletes expired items, as TTL does on AWS)',
      async () => startTtlSweeper({ client: dynamoClient, tableName: TABLE_NAME, intervalSeconds: SWEEP_SECONDS, log }),
      () => `every ${SWEEP_SECONDS} s`,
    );
    const consumer = await step(
      'stream consumer (table stream → archiver)',
      async () =>
        startStreamConsumer({
          dynamodb: dynamoClient,
          streams: new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDENTIALS }),
          tableName: TABLE_NAME,
          region: REGION,
          positionFile: join(home, 'stream-position.json'),
          invoke: (event) => archiveHandler(event, lambdaContext('assent-archiver')),
          log,
        }),
      () => `archive in s3://${ARCHIVE_BUCKET}/archive/`,
    );

    const definition = JSON.parse(
      readFileSync(resolve('stepfunctions/task-workflow.asl.json'), 'utf8').replaceAll('${StepsFunctionArn}', STEPS_FUNCTION_ARN),
    );
    const sfn = await step(
      'Step Functions runner (aws-local-stepfunctions)',
      () =>
        startSfnRunner({
          host: HOST,
          port: sfnPort,
          definition,
          stateMachineArn: STATE_MACHINE_ARN,
          dataDir: join(home, 'stepfunctions'),
          invokeLambda: async (functionName, payload) => {
            if (functionName !== STEPS_FUNCTION_ARN) throw Object.assign(new Error(`Unknown function ${functionName}`), { name: 'Lambda.ResourceNotFoundException' });
            return stepsHandler(payload, lambdaContext('assent-steps'));
          },
          log,
        }),
      (runner) => runner.url,
    );

    const jwks = createLocalJWKSet(keys.jwks);
    const gateway = await step(
      'API gateway (API Gateway v2 events)',
      () =>
        startGateway({
          host: HOST,
          port: apiPort,
          routes,
          handler: (event, context) => httpHandler(event, context),
          verifyJwt: (token) => verifyAsApiGateway(token, jwks),
          extra: async (request, response) => {
            if (request.method === 'GET' && request.url === '/local/jwks.json') {
              response.writeHead(200, { 'content-type': 'application/json' });
              response.end(JSON.stringify(keys.jwks));
              return true;
            }
            if (request.method === 'GET' && new URL(request.url ?? '/', apiUrl).pathname === '/local/events') {
              response.writeHead(200, { 'content-type': 'application/json' });
              response.end(JSON.stringify(eventsFor(eventBus.events(), new URL(request.url ?? '/', apiUrl).searchParams.get('taskId'))));
              return true;
            }
            if (request.method === 'GET' && request.url === '/local/health') {
              response.writeHead(200, { 'content-type': 'application/json' });
              response.end('{"status":"ok"}');
              return true;
            }
            return false;
          },
          log,
        }),
      (g) => g.url,
    );

    const adminToken = await keys.sign({ sub: 'local-admin', email: 'admin@assent.local', roles: ['admin'] });
    const endpoints = {
      api: gateway.url,
      mailbox,
      adminToken,
      services: {
        dynamodb: dynamo.endpoint,
        sfn: sfn.url,
        ses: mailbox,
        events: eventBus.url,
        s3: s3.endpoint,
        tableName: TABLE_NAME,
        stateMachineArn: STATE_MACHINE_ARN,
        eventBusName: EVENT_BUS_NAME,
        archiveBucket: ARCHIVE_BUCKET,
      },
    };
    // Written aside and renamed: whoever waits for the file (tests, scripts) never reads it half-written.
    writeFileSync(join(home, 'endpoints.json.tmp'), `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
    renameSync(join(home, 'endpoints.json.tmp'), join(home, 'endpoints.json'));

    console.log(`
Assent is up in ${elapsed(started)}.
  API        ${gateway.url}          (try: curl ${gateway.url}/v1/task-types)
  Mailbox    ${mailbox}          (web inbox; JSON at ${mailbox}/store)
  Events     ${gateway.url}/local/events   (lifecycle events published to the bus; ?taskId= filters)
  Archive    ${s3.endpoint}/${ARCHIVE_BUCKET}/archive/   (tasks TTL removed, JSON Lines; credentials local/local)
  Admin JWT  written to ${join(home, 'endpoints.json')} (adminToken)
  Approvers  ${ADMIN_EMAILS}
Press Ctrl+C to stop. Data stays in ${home}.
`);

    const close = async () => {
      await new Promise((done) => gateway.server.close(() => done(undefined)));
      await sweeper.stop();
      await consumer.stop();
      await s3.close();
      await sfn.close();
      await eventBus.close();
      await new Promise((done) => mailServer.close(() => done(undefined)));
      await shutdown(0);
    };
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.once('SIGINT', () => void close());
    process.once('SIGTERM', () => void close());
  } catch (error) {
    console.error(`\nThe local stack did not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

/** The recorded events, oldest first; only those of one task when `taskId` is given. */
function eventsFor(events: readonly RecordedEvent[], taskId: string | null): readonly RecordedEvent[] {
  if (!taskId) return events;
  return events.filter((event) => (event.detail as { taskId?: unknown } | null)?.taskId === taskId);
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

await main();
