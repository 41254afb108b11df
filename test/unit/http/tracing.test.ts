import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { NotFoundError } from '#core/errors';
import type { HttpEvent, HttpResponse } from '#http/http-types';
import { withHttp } from '#http/middleware';
import { json } from '#http/responses';
import { annotatePathTask } from '#http/tracing';

const TASK_ID = '01JC0000000000000000000000';
const context = { functionName: 'assent-http', awsRequestId: 'r1', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
const event = (routeKey: string, rawPath: string, pathParameters: Record<string, string> = {}): HttpEvent =>
  ({ routeKey, rawPath, pathParameters, headers: {}, requestContext: { http: { method: routeKey.split(' ')[0], sourceIp: '127.0.0.1' } } }) as unknown as HttpEvent;

/**
 * The part of Tracer that Powertools' captureLambdaHandler uses, tracing on, recording what it was
 * asked: the handler's subsegment opened and closed, response and error metadata, annotations.
 */
function recordingTracer() {
  const calls: string[] = [];
  const errors: unknown[] = [];
  const handlerSegment = { close: () => calls.push('closed') };
  const lambdaSegment = { addNewSubsegment: (name: string) => (calls.push(`opened ${name}`), handlerSegment) };
  let current: unknown = lambdaSegment;
  const tracer = {
    isTracingEnabled: () => true,
    getSegment: () => current,
    setSegment: (segment: unknown) => {
      current = segment;
    },
    annotateColdStart: () => calls.push('annotated ColdStart'),
    addServiceNameAnnotation: () => calls.push('annotated Service'),
    addResponseAsMetadata: () => calls.push('response captured'),
    addErrorAsMetadata: (error: unknown) => (calls.push('error captured'), errors.push(error)),
    putAnnotation: (key: string, value: string) => calls.push(`annotated ${key}=${value}`),
  };
  return { tracer: tracer as unknown as Tracer, calls, errors };
}

describe('the HTTP function\'s trace', () => {
  it('closes the handler segment of an answer without capturing the answer, which may hold a secret', async () => {
    // Prepare
    const { tracer, calls } = recordingTracer();
    const handler = withHttp(async () => json(200, { link: 'https://api.example.com/v1/tokens/secret' }), tracer);

    // Act
    const response = await handler(event('GET /v1/tokens/{token}', '/v1/tokens/secret'), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(calls).toStrictEqual([`opened ## ${process.env._HANDLER}`, 'annotated ColdStart', 'annotated Service', 'closed']);
  });

  it('closes the segment of an error answered with a 4xx as a success: no error captured', async () => {
    // Prepare
    const { tracer, calls } = recordingTracer();
    const handler = withHttp(async (): Promise<HttpResponse> => {
      throw new NotFoundError('There is no task 01JC….');
    }, tracer);

    // Act
    const response = await handler(event('GET /v1/tasks/{id}', `/v1/tasks/${TASK_ID}`), context);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(calls).toStrictEqual([`opened ## ${process.env._HANDLER}`, 'annotated ColdStart', 'annotated Service', 'closed']);
  });

  it('records the error of a 500 on the segment, as the log records it', async () => {
    // Prepare
    const { tracer, calls, errors } = recordingTracer();
    const failure = new Error('DynamoDB said no');
    const handler = withHttp(async (): Promise<HttpResponse> => {
      throw failure;
    }, tracer);

    // Act
    const response = await handler(event('GET /v1/tasks/{id}', `/v1/tasks/${TASK_ID}`), context);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(calls).toStrictEqual([`opened ## ${process.env._HANDLER}`, 'annotated ColdStart', 'annotated Service', 'error captured', 'closed']);
    expect(errors).toStrictEqual([failure]);
  });
});

describe('annotatePathTask', () => {
  it.each([
    ['GET /v1/tasks/{id}'],
    ['PUT /v1/tasks/{id}'],
    ['POST /v1/tasks/{id}/approve'],
    ['POST /v1/tasks/{id}/retry'],
  ])('annotates taskId on %s', (routeKey) => {
    // Prepare
    const { tracer, calls } = recordingTracer();

    // Act
    annotatePathTask(tracer, event(routeKey, '', { id: TASK_ID }));

    // Assess
    expect(calls).toStrictEqual([`annotated taskId=${TASK_ID}`]);
  });

  it.each([
    ['a notification\'s id', 'GET /v1/notifications/{id}', { id: TASK_ID }],
    ['a todo\'s id', 'POST /v1/{resource}/{id}/actions/{action}', { resource: 'todos', id: TASK_ID, action: 'mark-done' }],
    ['an id that cannot be a task\'s', 'GET /v1/tasks/{id}', { id: 'x'.repeat(2000) }],
    ['a route without one', 'POST /v1/tasks', {}],
  ])('annotates nothing for %s', (_why, routeKey, pathParameters) => {
    // Prepare
    const { tracer, calls } = recordingTracer();

    // Act
    annotatePathTask(tracer, event(routeKey, '', pathParameters));

    // Assess
    expect(calls).toStrictEqual([]);
  });
});
