/**
 * `npm start`: the whole stack on 127.0.0.1, with the same handler code and the same state machine
 * definition as on AWS. Emulators are real processes speaking AWS's protocols; the handlers reach
 * them only through `AWS_ENDPOINT_URL_*`.
 *
 * Settings (every one is in docs/local-mode.md): the ports PORT (API, default 3000), MAIL_PORT
 * (mailbox, 8005), DYNAMODB_PORT (8000), SFN_PORT (8083), EVENTS_PORT (8084), S3_PORT (8085),
 * COGNITO_PORT (9229), each
 * checked free before anything starts; ASSENT_HOME (data directory, default .assent, one stack at a
 * time), ASSENT_QUIET=1 (no request log), ASSENT_SWEEP_SECONDS (how often expired items are deleted,
 * as TTL does on AWS; default 5), ASSENT_JAVA (the java command for DynamoDB Local, default `java`),
 * ASSENT_HANDLER_DYNAMODB_ENDPOINT (the DynamoDB endpoint the handlers use, default the DynamoDB
 * Local started here: the benchmarks put a request-counting proxy in front of it); ASSENT_CONFIG (the
 * `assent` configuration of cdk.json, as a JSON file or inline JSON: operators, task type overrides,
 * ...; see local/config.ts) and the variables that override it.
 *
 * Ctrl+C (SIGINT) or SIGTERM removes `endpoints.json`, then stops every service, last started first.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createRemoteJWKSet } from 'jose';
import { CognitoUserDirectory } from '../functions/adapters/cognito/user-directory.ts';
import { DynamoDbProjects } from '../functions/adapters/dynamodb/projects.ts';
import { ENV } from '../functions/env-names.ts';
import { routes } from '../functions/http/routes.ts';
import { ensureTable, localClient, startDynamoDbLocal } from './dynamodb/dynamodb-local.ts';
import { startStreamConsumer } from './dynamodb/stream-consumer.ts';
import { startTtlSweeper } from './dynamodb/ttl-sweeper.ts';
import { LocalSetupError } from './errors.ts';
import { startEventBridgeEmulator } from './eventbridge/server.ts';
import { startGateway } from './gateway.ts';
import { lockHome } from './home-lock.ts';
import { startCognitoLocal } from './cognito/cognito-local.ts';
import { ensurePool } from './cognito/pool.ts';
import { seedLocalUsers } from './cognito/seed.ts';
import { issuerOf, signLocalToken } from './cognito/tokens.ts';
import { verifyAsApiGateway } from './jwt.ts';
import { loadLocalSettings } from './config.ts';
import { Lifecycle } from './lifecycle.ts';
import { lambdaContext, localEndpoints } from './local-endpoints.ts';
import { startMailbox } from './mailbox.ts';
import { assertPortsFree, resolvePorts } from './ports.ts';
import { LOCAL_POWERTOOLS_ENV } from './powertools-env.ts';
import { startLocalRecovery } from './recovery.ts';
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
/** Longer than this, a stop gives up waiting and exits anyway. */
const STOP_TIMEOUT_MS = 20_000;

const started = Date.now();
const context = (functionName: string) => lambdaContext(functionName, REGION, ACCOUNT);

/** Starts every service in order; `lifecycle` knows how to stop what has started. */
async function start(home: string, lifecycle: Lifecycle, log: (line: string) => void): Promise<void> {
  // Checked before anything starts: the configuration (ASSENT_CONFIG and the variables over it), one stack per ASSENT_HOME, and every port free.
  const settings = loadLocalSettings();
  const lock = lockHome(home);
  lifecycle.onStop(`lock ${join(home, 'stack.pid')}`, () => lock.release(), 'released');
  const endpointsFile = join(home, 'endpoints.json');
  rmSync(endpointsFile, { force: true });
  const ports = await resolvePorts();
  await assertPortsFree(ports, HOST);

  const dynamo = await lifecycle.step('DynamoDB Local (AWS jar, -sharedDb)', () => startDynamoDbLocal(ports.dynamodb, join(home, 'dynamodb')), {
    detail: (d) => d.endpoint,
    stop: (d) => d.stop(),
  });
  await lifecycle.step('table', () => ensureTable(localClient(dynamo.endpoint), TABLE_NAME), { detail: (state) => `${TABLE_NAME} (${state})` });
  const mailbox = await lifecycle.step('SES emulator (aws-ses-v2-local)', () => startMailbox({ host: HOST, port: ports.mail, file: join(home, 'mailbox.jsonl') }), {
    detail: (m) => `${m.url}  (${m.restored} mail${m.restored === 1 ? '' : 's'} kept from before)`,
    stop: (m) => m.close(),
  });
  const eventBus = await lifecycle.step(
    'EventBridge PutEvents emulator',
    () => startEventBridgeEmulator({ host: HOST, port: ports.events, file: join(home, 'events.jsonl') }),
    { detail: (emulator) => emulator.url, stop: (emulator) => emulator.close() },
  );
  const s3 = await lifecycle.step(
    'S3 emulator (s3rver)',
    () => startS3Local({ host: HOST, port: ports.s3, directory: join(home, 's3'), bucket: ARCHIVE_BUCKET, credentials: CREDENTIALS }),
    { detail: (emulator) => `${emulator.endpoint}/${ARCHIVE_BUCKET}`, stop: (emulator) => emulator.close() },
  );
  const cognitoLocal = await lifecycle.step('Cognito user pool (cognito-local)', () => startCognitoLocal(join(home, 'cognito'), ports.cognito), {
    detail: (c) => c.endpoint,
    stop: (c) => c.stop(),
  });
  const cognitoClient = new CognitoIdentityProviderClient({ endpoint: cognitoLocal.endpoint, region: REGION, credentials: CREDENTIALS });
  const pool = await lifecycle.step('user pool, app client, groups and local users', async () => {
    const created = await ensurePool(cognitoClient, join(home, 'cognito', 'pool.json'));
    const directory = new CognitoUserDirectory({
      client: cognitoClient,
      userPoolId: created.userPoolId,
      projects: new DynamoDbProjects({ client: DynamoDBDocumentClient.from(localClient(dynamo.endpoint)), tableName: TABLE_NAME }),
    });
    const subOf = async (email: string) =>
      (await cognitoClient.send(new AdminGetUserCommand({ UserPoolId: created.userPoolId, Username: email }))).UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
    return { ...created, endpoint: cognitoLocal.endpoint, users: await seedLocalUsers(directory, subOf) };
  }, { detail: (p) => `${p.userPoolId}, client ${p.clientId}, ${p.users.length} users` });
  const issuer = issuerOf(pool);
  const jwksUrl = `${issuer}/.well-known/jwks.json`;
  const apiUrl = `http://${HOST}:${ports.api}`;

  // The handlers' environment: exactly what CDK's bindings set on AWS, plus the emulator endpoints.
  const handlerEnvironment: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: process.env.ASSENT_HANDLER_DYNAMODB_ENDPOINT ?? dynamo.endpoint,
    AWS_ENDPOINT_URL_SFN: `http://${HOST}:${ports.sfn}`,
    AWS_ENDPOINT_URL_SES: mailbox.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBus.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognitoLocal.endpoint,
    POWERTOOLS_SERVICE_NAME: 'assent',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // No EMF metric lines, no X-Ray: read when the handlers' Metrics and Tracer are made (on import, below).
    ...LOCAL_POWERTOOLS_ENV,
    [ENV.tableName]: TABLE_NAME,
    [ENV.stateMachineArn]: STATE_MACHINE_ARN,
    [ENV.mailFrom]: settings.mailFrom,
    [ENV.operatorEmails]: settings.operators,
    [ENV.ttlMinutes]: settings.ttlMinutes,
    [ENV.trackActions]: settings.trackActions,
    [ENV.taskTypeOverrides]: settings.taskTypeOverrides,
    [ENV.publicUrl]: process.env.ASSENT_PUBLIC_URL ?? apiUrl,
    [ENV.userPoolId]: pool.userPoolId,
    [ENV.jwtIssuer]: issuer,
    [ENV.jwtAudience]: pool.clientId,
    [ENV.jwksUrl]: jwksUrl,
    [ENV.rolesClaim]: 'cognito:groups',
    [ENV.eventBusName]: EVENT_BUS_NAME,
    [ENV.archiveBucket]: ARCHIVE_BUCKET,
  };
  Object.assign(process.env, handlerEnvironment);
  // Imported after the environment is set, as Lambda loads a handler after its configuration.
  const { handler: httpHandler } = await import('../functions/http/handler.ts');
  const { handler: stepsHandler } = await import('../functions/steps/handler.ts');
  const { handler: archiveHandler } = await import('../functions/streams/archive.ts');

  const dynamoClient = localClient(dynamo.endpoint);
  await lifecycle.step(
    'TTL sweeper (deletes expired items, as TTL does on AWS)',
    async () => startTtlSweeper({ client: dynamoClient, tableName: TABLE_NAME, intervalSeconds: SWEEP_SECONDS, log }),
    { detail: () => `every ${SWEEP_SECONDS} s`, stop: (sweeper) => sweeper.stop() },
  );
  await lifecycle.step(
    'stream consumer (table stream → archiver)',
    async () =>
      startStreamConsumer({
        dynamodb: dynamoClient,
        streams: new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDENTIALS }),
        tableName: TABLE_NAME,
        region: REGION,
        positionFile: join(home, 'stream-position.json'),
        invoke: (event) => archiveHandler(event, context('assent-archiver')),
        log,
      }),
    { detail: () => `archive in s3://${ARCHIVE_BUCKET}/archive/`, stop: (consumer) => consumer.stop() },
  );

  const definition = JSON.parse(readFileSync(resolve('stepfunctions/task-workflow.asl.json'), 'utf8').replaceAll('${StepsFunctionArn}', STEPS_FUNCTION_ARN));
  const sfn = await lifecycle.step(
    'Step Functions runner (aws-local-stepfunctions)',
    () =>
      startSfnRunner({
        host: HOST,
        port: ports.sfn,
        definition,
        stateMachineArn: STATE_MACHINE_ARN,
        dataDir: join(home, 'stepfunctions'),
        invokeLambda: async (functionName, payload) => {
          if (functionName !== STEPS_FUNCTION_ARN) throw Object.assign(new Error(`Unknown function ${functionName}`), { name: 'Lambda.ResourceNotFoundException' });
          return stepsHandler(payload, context('assent-steps'));
        },
        log,
      }),
    { detail: (runner) => runner.url, stop: (runner) => runner.close() },
  );

  // The outbox and the reconciler (issue 11): every saved task gets its execution; stranded ones are repaired.
  const { handler: outboxHandler } = await import('../functions/streams/outbox.ts');
  const { handler: reconcileHandler } = await import('../functions/schedules/reconcile.ts');
  await lifecycle.step(
    'outbox (table stream → StartExecution) and reconciler',
    async () =>
      startLocalRecovery({
        dynamodb: dynamoClient,
        streams: new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDENTIALS }),
        tableName: TABLE_NAME,
        region: REGION,
        positionFile: join(home, 'outbox-stream-position.json'),
        outbox: (event, lambda) => outboxHandler(event, lambda),
        reconcile: (event, lambda) => reconcileHandler(event, lambda),
        context,
        reconcileSeconds: settings.reconcileSeconds,
        graceSeconds: settings.reconcileGraceSeconds,
        log,
      }),
    { detail: () => `reconciling every ${settings.reconcileSeconds} s (grace ${settings.reconcileGraceSeconds} s)`, stop: (recovery) => recovery.stop() },
  );

  // As API Gateway's JWT authorizer on AWS: the pool's issuer and key set, the app client as the audience.
  const jwks = createRemoteJWKSet(new URL(jwksUrl));
  const authorizer = { issuer, audiences: [pool.clientId] };
  const gateway = await lifecycle.step(
    'API gateway (API Gateway v2 events)',
    () =>
      startGateway({
        host: HOST,
        port: ports.api,
        routes,
        handler: (event, lambda) => httpHandler(event, lambda),
        verifyJwt: (token) => verifyAsApiGateway(token, jwks, authorizer),
        extra: localEndpoints({ events: () => eventBus.events() }),
        log,
      }),
    {
      detail: (g) => g.url,
      stop: (g) =>
        new Promise<void>((done) => {
          g.server.close(() => done());
          g.server.closeIdleConnections();
        }),
    },
  );

  // An ID token (it carries the address, which admin actions record) of the seeded admin; `npm run token` makes more.
  const admin = pool.users.find((user) => user.groups.includes('admin'));
  const adminToken = admin ? await signLocalToken(pool, { sub: admin.sub, groups: admin.groups, email: admin.email }, 'id') : '';
  const endpoints = {
    api: gateway.url,
    mailbox: mailbox.url,
    adminToken,
    services: {
      dynamodb: dynamo.endpoint,
      sfn: sfn.url,
      ses: mailbox.url,
      events: eventBus.url,
      s3: s3.endpoint,
      cognito: cognitoLocal.endpoint,
      tableName: TABLE_NAME,
      stateMachineArn: STATE_MACHINE_ARN,
      eventBusName: EVENT_BUS_NAME,
      archiveBucket: ARCHIVE_BUCKET,
    },
    cognito: { endpoint: cognitoLocal.endpoint, userPoolId: pool.userPoolId, clientId: pool.clientId },
    users: pool.users.map(({ email, password, groups, sub }) => ({ email, password, groups, sub })),
    // What the handlers run with (no secret: the emulators' dummy credentials), for whoever calls a handler in its own process (bench/latency.ts).
    handlerEnvironment,
    // The processes behind it: this one (the stack; its process group holds them all) and DynamoDB Local's JVM.
    pids: { stack: process.pid, dynamodb: dynamo.pid ?? null },
  };
  // Written aside and renamed: whoever waits for the file (tests, scripts) never reads it half-written.
  // Removed first at stop, so nothing reads the endpoints of a stack that is going away.
  writeFileSync(`${endpointsFile}.tmp`, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${endpointsFile}.tmp`, endpointsFile);
  lifecycle.onStop(endpointsFile, () => rmSync(endpointsFile, { force: true }), 'removed');

  console.log(`
Assent is up in ${((Date.now() - started) / 1000).toFixed(1)} s.
  API        ${gateway.url}          (try: curl ${gateway.url}/v1/task-types)
  Mailbox    ${mailbox.url}          (web inbox; JSON at ${mailbox.url}/store)
  Events     ${gateway.url}/local/events   (lifecycle events published to the bus; ?taskId= filters)
  Archive    ${s3.endpoint}/${ARCHIVE_BUCKET}/archive/   (tasks TTL removed, JSON Lines; credentials local/local)
  Cognito    ${cognitoLocal.endpoint}  (pool ${pool.userPoolId}, client ${pool.clientId}; users and passwords in endpoints.json)
  Tokens     npm run token -- <email>   (admin: adminToken in ${endpointsFile})
  Operators  ${settings.operators}   (notifications; approvers are the seeded accounts in endpoints.json)
  Config     ${settings.source === 'defaults' ? 'defaults (set ASSENT_CONFIG to a JSON file or inline JSON)' : `ASSENT_CONFIG: ${settings.source}`}
Press Ctrl+C to stop. Data stays in ${home}.
`);
}

async function main(): Promise<void> {
  const home = resolve(process.env.ASSENT_HOME ?? '.assent');
  mkdirSync(home, { recursive: true });
  const quiet = process.env.ASSENT_QUIET === '1';
  const log = (line: string) => {
    if (!quiet) console.log(`    ${line}`);
  };
  console.log(`Assent local stack on Node.js ${process.version} (data in ${home})`);

  const lifecycle = new Lifecycle();
  const stop = async (reason: string, code: number) => {
    setTimeout(() => {
      console.error(`Stopping took over ${STOP_TIMEOUT_MS / 1000} s; exiting anyway.`);
      process.exit(code || 1);
    }, STOP_TIMEOUT_MS).unref();
    await lifecycle.stop(reason);
    if (code === 0) console.log(`Stopped. Data stays in ${home}.`);
    process.exit(code);
  };
  // A second signal while stopping changes nothing: the stop under way finishes (or times out).
  const onSignal = (signal: NodeJS.Signals) => {
    if (!lifecycle.stopping) void stop(signal, 0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await start(home, lifecycle, log);
  } catch (error) {
    // A signal during start-up: its stop is under way and exits.
    if (lifecycle.stopping) return;
    // What the user can fix is said in a sentence; anything else keeps its stack, for a bug report.
    const detail = error instanceof LocalSetupError || !(error instanceof Error) ? String((error as Error).message ?? error) : (error.stack ?? error.message);
    console.error(`\nThe local stack did not start: ${detail}`);
    await stop('start-up failed', 1);
  }
}

await main();
