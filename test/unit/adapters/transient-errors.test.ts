import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runInNewContext } from 'node:vm';
import { mockClient } from 'aws-sdk-client-mock';
import { transientReason } from '#adapters/aws-errors';
import { DynamoDbDuplicateKeys } from '#adapters/dynamodb/duplicate-keys';
import { DynamoDbIdempotencyStore } from '#adapters/dynamodb/idempotency-store';
import { DynamoDbNotificationStore } from '#adapters/dynamodb/notification-store';
import { DynamoDbSecretStore } from '#adapters/dynamodb/secret-store';
import { DynamoDbTaskStore } from '#adapters/dynamodb/task-store';
import { DynamoDbTodoStore } from '#adapters/dynamodb/todo-store';
import { DynamoDbProjects } from '#adapters/dynamodb/projects';
import { EventBridgePublisher } from '#adapters/eventbridge/publisher';
import { S3ArchiveStore } from '#adapters/s3/archive-store';
import { SesMailer } from '#adapters/ses/mailer';
import { StepFunctionsWorkflow } from '#adapters/sfn/workflow';
import { TransientError } from '#core/errors';
import type { HttpEvent } from '#http/http-types';
import { toErrorResponse } from '#http/middleware';
import { SECURITY_HEADERS } from '#http/responses';

/**
 * Every transient fault, from every adapter's every kind of call, is one TransientError (status
 * 503): refused, reset or broken connections, socket hang-ups, the SDK's timeouts, the services'
 * RequestTimeout, throttling and AWS 5xx. Nothing raw escapes; errors that are not transient pass
 * through unchanged.
 */
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const sesClient = new SESClient({ region: 'us-east-1' });
const sfnClient = new SFNClient({ region: 'us-east-1' });
const eventBridgeClient = new EventBridgeClient({ region: 'us-east-1' });
const s3Client = new S3Client({ region: 'us-east-1' });
const mocks = [mockClient(documentClient), mockClient(sesClient), mockClient(sfnClient), mockClient(eventBridgeClient), mockClient(s3Client)] as const;

beforeEach(() => mocks.forEach((mock) => mock.reset()));
const everyCallRejects = (error: Error) => {
  const [dynamodb, ses, sfn, eventBridge, s3] = mocks;
  dynamodb.onAnyCommand().rejects(error);
  ses.onAnyCommand().rejects(error);
  sfn.onAnyCommand().rejects(error);
  eventBridge.onAnyCommand().rejects(error);
  s3.onAnyCommand().rejects(error);
};

const table = { client: documentClient, tableName: 'assent' };
const tasks = new DynamoDbTaskStore(table);
const secrets = new DynamoDbSecretStore(table);
const duplicates = new DynamoDbDuplicateKeys(table);
const idempotency = new DynamoDbIdempotencyStore(table);
const notifications = new DynamoDbNotificationStore(table);
const todos = new DynamoDbTodoStore(table);
const projects = new DynamoDbProjects(table);
const mailer = new SesMailer({ client: sesClient });
const workflow = new StepFunctionsWorkflow({ client: sfnClient, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:assent' });
const publisher = new EventBridgePublisher({ client: eventBridgeClient, eventBusName: 'assent-events' });
const archive = new S3ArchiveStore({ client: s3Client, bucket: 'assent-archive' });
const AT = '2026-11-23T10:00:00.000Z';

/** One call of each kind each adapter makes (reads, queries, batches, conditional and plain writes, transactions), and what it says it was doing. */
const CALLS: [string, () => Promise<unknown>, string][] = [
  ['DynamoDbTaskStore.get (GetItem)', () => tasks.get('T1'), 'Reading a task'],
  ['DynamoDbTaskStore.getMany (BatchGetItem)', () => tasks.getMany(['T1']), 'Reading tasks'],
  ['DynamoDbTaskStore.list (Query)', () => tasks.list({ limit: 10 }), 'Listing tasks'],
  ['DynamoDbTaskStore.countByStatus (Query COUNT)', () => tasks.countByStatus(), 'Counting tasks'],
  ['DynamoDbTaskStore.update (UpdateItem)', () => tasks.update('T1', { conditions: [] }), 'Updating a task'],
  ['DynamoDbTaskStore.create (conditional PutItem)', () => tasks.create({ id: 'T1' } as never), 'Creating a task'],
  ['DynamoDbSecretStore.put', () => secrets.put({ hash: 'h', kind: 'token', taskId: 'T1', round: 1, createdAt: AT, validUntil: AT }), 'Storing a secret'],
  ['DynamoDbSecretStore.deleteExpired (Query pages)', () => secrets.deleteExpired('token', AT), 'Finding expired secrets'],
  ['DynamoDbDuplicateKeys.claim', () => duplicates.claim('k', 'T1', undefined), 'Claiming a duplicate key'],
  ['DynamoDbIdempotencyStore.saveInProgress (conditional PutItem)', () => idempotency.saveInProgress({ key: 'k' }, 29_000), 'Starting an idempotent request'],
  ['DynamoDbIdempotencyStore.getRecord (GetItem)', () => idempotency.getRecord({ key: 'k' }), 'Reading an idempotency key'],
  ['DynamoDbIdempotencyStore.saveSuccess (UpdateItem)', () => idempotency.saveSuccess({ key: 'k' }, { status: 202 }), 'Completing an idempotent request'],
  ['DynamoDbIdempotencyStore.deleteRecord (DeleteItem)', () => idempotency.deleteRecord({ key: 'k' }), 'Releasing an idempotency key'],
  ['DynamoDbNotificationStore.acknowledge', () => notifications.acknowledge('N1', 'ann', AT), 'Acknowledging a notification'],
  ['DynamoDbNotificationStore.markEmailed', () => notifications.markEmailed('N1', AT), 'Marking a notification emailed'],
  ['DynamoDbTodoStore.create', () => todos.create({ id: 't', title: 't', done: false, archived: false, createdAt: AT }), 'Creating a todo'],
  ['DynamoDbProjects.setQuota', () => projects.setQuota('p1', { members: 1 } as never), 'Setting a quota'],
  ['DynamoDbProjects.createProject (its GetItem first)', () => projects.createProject({ id: 'p1', name: 'apollo', createdAt: AT }), 'Reading a project'],
  ['DynamoDbProjects.membership', () => projects.membership('sub-1'), 'Reading a membership'],
  ['SesMailer.send', () => mailer.send({ to: ['a@example.com'], from: 'f@example.com', subject: 'S', text: 'T', taskId: 'T1' }), 'Sending an email'],
  ['StepFunctionsWorkflow.start', () => workflow.start({ taskId: 'T1', approvalTimeoutSeconds: 60, tokenTimeoutSeconds: 60 }, 1), 'Starting the workflow'],
  ['StepFunctionsWorkflow.resume', () => workflow.resume('token', {}), 'Answering the workflow'],
  ['StepFunctionsWorkflow.fail', () => workflow.fail('token', 'E', 'C'), 'Answering the workflow'],
  ['StepFunctionsWorkflow.stop', () => workflow.stop('arn:x', 'c'), 'Stopping the workflow'],
  ['EventBridgePublisher.publish', () => publisher.publish([{ detailType: 'task.created', detail: { taskId: 'T1', at: AT } } as never]), 'Publishing events'],
  ['S3ArchiveStore.put', () => archive.put('archive/x.jsonl', ['{}']), 'Archiving archive/x.jsonl'],
  ['S3ArchiveStore.findTask', () => archive.findTask('T1'), 'Looking up an archived task'],
];

/** A Node network error as the SDK surfaces it after its retries (it adds $metadata). */
const networkError = (message: string, code: string, name = 'Error') =>
  Object.assign(new Error(message), { name, code, $metadata: { attempts: 3, totalRetryDelay: 300 } });
const serviceError = (name: string, fault: 'client' | 'server', httpStatusCode: number | undefined) =>
  new DynamoDBServiceException({ name, message: name, $fault: fault, $metadata: httpStatusCode === undefined ? {} : { httpStatusCode } });

/** Each kind of transient fault, and the reason TransientError names. */
const FAULTS: [string, () => Error, string][] = [
  ['a refused connection (ECONNREFUSED)', () => networkError('connect ECONNREFUSED 127.0.0.1:8000', 'ECONNREFUSED'), 'ECONNREFUSED'],
  ['a reset connection (ECONNRESET)', () => networkError('read ECONNRESET', 'ECONNRESET'), 'ECONNRESET'],
  ['a broken pipe (EPIPE)', () => networkError('write EPIPE', 'EPIPE'), 'EPIPE'],
  ['a socket hang up without a code', () => Object.assign(new Error('socket hang up'), { $metadata: {} }), 'socket hang up'],
  ['a reset, as the Node handler renames it (TimeoutError, ECONNRESET)', () => networkError('socket hang up', 'ECONNRESET', 'TimeoutError'), 'TimeoutError'],
  ['a connect timeout (the SDK\'s TimeoutError)', () => Object.assign(new Error('the request socket did not establish a connection within 1000 ms'), { name: 'TimeoutError', $metadata: {} }), 'TimeoutError'],
  ['a request timeout (TimeoutError, ETIMEDOUT)', () => networkError('a request has exceeded the configured 5000 ms requestTimeout', 'ETIMEDOUT', 'TimeoutError'), 'TimeoutError'],
  ['a bare ETIMEDOUT', () => networkError('connect ETIMEDOUT 10.0.0.1:443', 'ETIMEDOUT'), 'ETIMEDOUT'],
  ['a service\'s RequestTimeout (S3, HTTP 400)', () => new S3ServiceException({ name: 'RequestTimeout', message: 'Your socket connection to the server was not read from or written to within the timeout period.', $fault: 'client', $metadata: { httpStatusCode: 400 } }), 'RequestTimeout'],
  ['throttling (ThrottlingException)', () => serviceError('ThrottlingException', 'client', 400), 'ThrottlingException'],
  ['throttling (ProvisionedThroughputExceededException)', () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { httpStatusCode: 400 } }), 'ProvisionedThroughputExceededException'],
  ['throttling the SDK flags ($retryable.throttling)', () => Object.assign(serviceError('SomeNewThrottle', 'client', 400), { $retryable: { throttling: true } }), 'SomeNewThrottle (throttling)'],
  ['HTTP 429', () => serviceError('TooMany', 'client', 429), 'TooMany (HTTP 429)'],
  ['an AWS 500 (InternalServerError)', () => new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } }), 'InternalServerError'],
  ['an AWS 503 of an unknown name', () => serviceError('Unknown', 'client', 503), 'Unknown (HTTP 503)'],
  ['a 502 from a proxy in between', () => serviceError('BadGateway', 'client', 502), 'BadGateway (HTTP 502)'],
  ['$fault server without a status', () => serviceError('SomethingBroke', 'server', undefined), 'SomethingBroke (HTTP server fault)'],
  ['a refused connection from another realm, as the SDK wraps it (under Jest: only the text is kept)', () => Object.assign(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:8000'), { $metadata: { attempts: 3 } }), 'ECONNREFUSED'],
  ['a hang-up from another realm, as the SDK wraps it', () => Object.assign(new Error('AWS SDK error wrapper for TimeoutError: socket hang up'), { $metadata: { attempts: 3 } }), 'TimeoutError'],
  [
    'a transaction cancelled by throttling or a conflict only',
    () => new TransactionCanceledException({ message: 'cancelled', $metadata: { httpStatusCode: 400 }, CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }, { Code: 'TransactionConflict' }] }),
    'TransactionCanceledException (None, ThrottlingError, TransactionConflict)',
  ],
];

describe.each(FAULTS)('%s', (_fault, makeError, reason) => {
  it.each(CALLS)('from %s is a TransientError (503) naming what failed and keeping the cause', async (_call, call, what) => {
    // Prepare
    const error = makeError();
    everyCallRejects(error);

    // Act
    const failure = await call().then(
      () => undefined,
      (caught: unknown) => caught,
    );

    // Assess
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ name: 'TransientError', status: 503, retryAfterSeconds: 2, message: `${what}: ${reason}` });
    expect((failure as Error).cause).toBe(error);
  });

  it('is answered on HTTP as 503 problem+json with Retry-After', () => {
    // Prepare
    const error = new TransientError(`Reading a task: ${reason}`, { cause: makeError() });

    // Act
    const response = toErrorResponse(error, { rawPath: '/v1/tasks/T1', headers: {} } as HttpEvent);

    // Assess
    expect(response).toStrictEqual({
      statusCode: 503,
      headers: { 'content-type': 'application/problem+json', ...SECURITY_HEADERS, 'retry-after': '2' },
      body: JSON.stringify({ type: 'https://assent.dev/problems/unavailable', title: 'Service unavailable', status: 503, detail: 'The service is busy; try again in a moment.', instance: '/v1/tasks/T1' }),
    });
  });
});

it('classifies an error of another realm (not instanceof Error here) by its name and code', () => {
  // Prepare
  const [reset, timeout] = runInNewContext('[Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), Object.assign(new Error("late"), { name: "TimeoutError" })]') as [Error, Error];

  // Act & Assess
  expect([reset instanceof Error, transientReason(reset), transientReason(timeout)]).toStrictEqual([false, 'ECONNRESET', 'TimeoutError']);
});

describe('errors that are not transient', () => {
  it.each([
    ['a validation error (HTTP 400)', () => serviceError('ValidationException', 'client', 400)],
    ['an access denial (HTTP 403)', () => serviceError('AccessDeniedException', 'client', 403)],
    ['a plain Error (a bug)', () => new Error('Cannot read properties of undefined')],
    ['a URIError (text the serializer cannot encode)', () => new URIError('URI malformed')],
    ['an unknown network error code', () => networkError('something else', 'EWHATEVER')],
    ['something else the SDK wrapped', () => new Error('AWS SDK error wrapper for Error: EACCES is not a reason to retry')],
    ['a thrown string', () => 'ECONNREFUSED' as unknown as Error],
    [
      'a transaction cancelled by a condition and by throttling (the condition decides)',
      () => new TransactionCanceledException({ message: 'cancelled', $metadata: { httpStatusCode: 400 }, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'ThrottlingError' }] }),
    ],
  ])('pass through %s unchanged', (_why, makeError) => {
    // Prepare
    const error = makeError();

    // Act & Assess
    expect(transientReason(error)).toBeUndefined();
  });

  it.each(CALLS.filter(([name]) => !name.startsWith('DynamoDbProjects.createProject')))('reach the caller of %s as they were thrown', async (_call, call) => {
    // Prepare
    const error = serviceError('ValidationException', 'client', 400);
    everyCallRejects(error);

    // Act & Assess
    await expect(call()).rejects.toBe(error);
  });

  it('a conditional write that lost is false, not an error', async () => {
    // Prepare
    everyCallRejects(new ConditionalCheckFailedException({ message: 'no', $metadata: { httpStatusCode: 400 } }));

    // Act & Assess
    await expect(Promise.all([tasks.create({ id: 'T1' } as never), duplicates.claim('k', 'T1', undefined)])).resolves.toStrictEqual([false, false]);
  });
});
