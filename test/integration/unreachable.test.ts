import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Context } from 'aws-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTaskStore } from '#adapters/dynamodb/task-store';
import { EventBridgePublisher } from '#adapters/eventbridge/publisher';
import { S3ArchiveStore } from '#adapters/s3/archive-store';
import { SesMailer } from '#adapters/ses/mailer';
import { StepFunctionsWorkflow } from '#adapters/sfn/workflow';
import { TransientError } from '#core/errors';
import { defaultClients } from '#functions/app';
import { ENV } from '#functions/env-names';
import type { HttpEvent } from '#http/http-types';
import { SECURITY_HEADERS } from '#http/responses';
import { freePort } from '#local/ports';

/**
 * Dependencies that cannot be reached, with the SDK clients as the app builds them (their timeouts,
 * the SDK's retries) over real sockets on 127.0.0.1 only: a closed port, a server that accepts and
 * never answers, one that hangs up, one that answers 503. Each ends as a TransientError, and the HTTP
 * API answers 503 problem+json with Retry-After.
 */
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const AT = '2026-11-23T10:00:00.000Z';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

let closed: string;
const servers: Server[] = [];
const sockets = new Set<Socket>();

/** A TCP server on 127.0.0.1 doing `onConnection` with each connection; its URL. */
async function tcpServer(onConnection: (socket: Socket) => void): Promise<string> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  // A port that was free a moment ago and that nothing listens on: connecting is refused at once.
  closed = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

const failureOf = (attempt: Promise<unknown>) =>
  attempt.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('an adapter whose endpoint is a closed port', () => {
  const at = (endpoint: string) => ({ endpoint, region: REGION, credentials });
  it.each([
    ['DynamoDB', () => new DynamoDbTaskStore({ client: DynamoDBDocumentClient.from(defaultClients.dynamodb(at(closed))), tableName: 't' }).get('T1'), 'Reading a task'],
    ['Step Functions', () => new StepFunctionsWorkflow({ client: defaultClients.sfn(at(closed)), stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:s' }).resume('token', {}), 'Answering the workflow'],
    ['SES', () => new SesMailer({ client: defaultClients.ses(at(closed)) }).send({ to: ['a@example.com'], from: 'f@example.com', subject: 'S', text: 'T', taskId: 'T1' }), 'Sending an email'],
    ['EventBridge', () => new EventBridgePublisher({ client: defaultClients.eventBridge(at(closed)), eventBusName: 'b' }).publish([{ detailType: 'task.created', detail: { taskId: 'T1', at: AT } } as never]), 'Publishing events'],
    ['S3', () => new S3ArchiveStore({ client: defaultClients.s3({ ...at(closed), forcePathStyle: true }), bucket: 'b' }).findTask('T1'), 'Looking up an archived task'],
  ])('%s: the connection is refused, the SDK retries, and a TransientError (ECONNREFUSED) is thrown', async (_service, call, what) => {
    // Act
    const error = await failureOf(call());

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ name: 'TransientError', status: 503, message: `${what}: ECONNREFUSED` });
    // Under Jest the SDK wraps Node's error (another realm) and keeps its text: see the next test for Lambda's case.
    expect((error as Error).cause).toMatchObject({ message: expect.stringContaining('ECONNREFUSED'), $metadata: { attempts: expect.any(Number) } });
  });

  it('in a process of its own, as on Lambda (one realm): TransientError, its cause Node\'s ECONNREFUSED after the SDK\'s retries', async () => {
    // Act
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', './local/register.mjs', 'test/support/unreachable-probe.ts', closed], { cwd: ROOT });

    // Assess
    const outcome = JSON.parse(stdout) as { cause: { attempts: number } };
    expect(outcome).toStrictEqual({ name: 'TransientError', message: 'Reading a task: ECONNREFUSED', status: 503, cause: { name: 'Error', code: 'ECONNREFUSED', attempts: outcome.cause.attempts } });
    expect(outcome.cause.attempts).toBeGreaterThan(1);
  }, 30_000);
});

describe('a DynamoDB endpoint that misbehaves', () => {
  const storeAt = (endpoint: string, maxAttempts?: number) =>
    new DynamoDbTaskStore({ client: DynamoDBDocumentClient.from(defaultClients.dynamodb({ endpoint, region: REGION, credentials, ...(maxAttempts ? { maxAttempts } : {}) })), tableName: 't' });

  it('accepting the connection and never answering: the 5 s request timeout ends the attempt as TimeoutError', async () => {
    // Prepare: one attempt, so the test waits out one request timeout, not three.
    const silent = await tcpServer(() => undefined);
    const started = Date.now();

    // Act
    const error = await failureOf(storeAt(silent, 1).get('T1'));

    // Assess
    expect(error).toMatchObject({ name: 'TransientError', status: 503, message: 'Reading a task: TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect(Date.now() - started).toBeLessThan(8_000);
  }, 15_000);

  it('hanging up on every request (socket hang up, ECONNRESET): TransientError after the SDK\'s retries', async () => {
    // Prepare
    let connections = 0;
    const rude = await tcpServer((socket) => {
      connections += 1;
      socket.once('data', () => socket.destroy());
    });

    // Act
    const error = await failureOf(storeAt(rude).get('T1'));

    // Assess: Node's "socket hang up" (ECONNRESET), which the SDK's handler names TimeoutError and retries.
    expect(error).toMatchObject({ name: 'TransientError', status: 503, message: 'Reading a task: TimeoutError' });
    expect((error as Error).cause).toMatchObject({ message: expect.stringContaining('socket hang up') });
    expect(connections).toBeGreaterThan(1);
  });

  it('answering 503 with a body that is not an AWS error (a load balancer): TransientError naming the status', async () => {
    // Prepare
    const unavailable = await tcpServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html\r\ncontent-length: 9\r\nconnection: close\r\n\r\n<h1>…</h1>'));
    });

    // Act
    const error = await failureOf(storeAt(unavailable).get('T1'));

    // Assess: the SDK cannot read the HTML as a DynamoDB error (a SyntaxError), so the status decides.
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe('Reading a task: SyntaxError (HTTP 503)');
  });
});

describe('the HTTP API while DynamoDB is unreachable', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('answers a read of the table (a token page) with 503 problem+json and Retry-After, not a 500', async () => {
    // Prepare: the HTTP function as deployed, its DynamoDB endpoint a closed port.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: closed,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      [ENV.tableName]: 'assent-unreachable',
      [ENV.stateMachineArn]: 'arn:aws:states:us-east-1:000000000000:stateMachine:assent',
      [ENV.mailFrom]: 'assent@example.com',
      [ENV.operatorEmails]: 'ops@example.com',
      [ENV.publicUrl]: 'http://assent.invalid',
      [ENV.jwtIssuer]: 'https://issuer.invalid/',
      [ENV.jwtAudience]: 'assent',
      [ENV.jwksUrl]: 'http://issuer.invalid/jwks.json',
      [ENV.eventBusName]: 'assent-events',
      [ENV.userPoolId]: 'us-east-1_unreachable',
    });
    const { handler } = await import('#http/handler');
    const secret = 'A'.repeat(43);
    const event = {
      version: '2.0',
      routeKey: 'GET /v1/tokens/{token}',
      rawPath: `/v1/tokens/${secret}`,
      rawQueryString: '',
      headers: { accept: 'application/json' },
      pathParameters: { token: secret },
      requestContext: { http: { method: 'GET', path: `/v1/tokens/${secret}` } },
      isBase64Encoded: false,
    } as unknown as HttpEvent;

    // Act
    const response = await handler(event, { awsRequestId: 'r1', functionName: 'assent-http' } as Context);

    // Assess
    expect(response).toStrictEqual({
      statusCode: 503,
      headers: { 'content-type': 'application/problem+json', ...SECURITY_HEADERS, 'retry-after': '2' },
      body: JSON.stringify({ type: 'https://assent.dev/problems/unavailable', title: 'Service unavailable', status: 503, detail: 'The service is busy; try again in a moment.', instance: `/v1/tokens/${secret}` }),
    });
  });
});
