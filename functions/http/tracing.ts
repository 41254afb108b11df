import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type middy from '@middy/core';
import type { HttpEvent, HttpResponse } from './http-types.ts';
import { TaskIdSchema } from './schemas.ts';

type HttpRequest = middy.Request<HttpEvent, HttpResponse>;

/**
 * The HTTP function's segment: Powertools' captureLambdaHandler, never with the response as
 * metadata — answers hold secrets: the token and approval pages and their forms carry the one-time
 * secret, `GET /v1/tokens` token views, created tasks their links (POWERTOOLS_TRACER_CAPTURE_RESPONSE
 * is false on every function as well, lib/constructs/handler-function.ts). An error the error
 * mapper answered with a 4xx is the API at work: the segment closes as a success, without the
 * error. A 5xx records its error (message and stack, what the log's `Unhandled error` holds too).
 * Register it first: its `onError` then runs after the error mapper's.
 */
export function traceHttp(tracer: Tracer): middy.MiddlewareObj<HttpEvent, HttpResponse> {
  const traced = captureLambdaHandler(tracer, { captureResponse: false });
  return {
    before: async (request: HttpRequest) => {
      await traced.before?.(request);
    },
    after: async (request: HttpRequest) => {
      await traced.after?.(request);
    },
    onError: async (request: HttpRequest) => {
      const answered = request.response !== undefined && request.response !== null && request.response.statusCode < 500;
      await (answered ? traced.after : traced.onError)?.(request);
    },
  };
}

/** Routes whose `{id}` is a task's: `/v1/tasks/{id}` and those under it. */
const TASK_ROUTE = /^[A-Z]+ \/v1\/tasks\/\{id\}(?:\/|$)/;

/**
 * Annotates the segment with the task a route's path names (`taskId`), when it is one of ours in
 * shape (a ULID); transitions annotate theirs too (functions/adapters/tracing/annotated-events.ts).
 */
export function annotatePathTask(tracer: Pick<Tracer, 'putAnnotation'>, event: Pick<HttpEvent, 'routeKey' | 'pathParameters'>): void {
  const id = event.pathParameters?.id;
  if (id !== undefined && TASK_ROUTE.test(event.routeKey) && TaskIdSchema.safeParse(id).success) tracer.putAnnotation('taskId', id);
}
