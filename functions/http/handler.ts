import type { Context } from 'aws-lambda';
import { NotFoundError } from '#core/errors';
import { getApp } from '../app.ts';
import { decideApproval, showApproval } from './approvals.ts';
import { identify } from './auth.ts';
import { parseBody, prefersHtml } from './body.ts';
import type { HttpEvent, HttpResponse, RouteHandler } from './http-types.ts';
import { withHttp } from './middleware.ts';
import type { RouteKey } from './routes.ts';
import { listTaskTypes } from './task-types.ts';
import { approveTask, createTask, getTask } from './tasks.ts';
import { showToken, submitToken } from './tokens.ts';

/** Route key (as API Gateway sends it in `routeKey`) → handler. Every route in routes.ts has one. */
export const handlers: Record<RouteKey, RouteHandler> = {
  'GET /v1/task-types': listTaskTypes,
  'POST /v1/tasks': createTask,
  'GET /v1/tasks/{id}': getTask,
  'POST /v1/tasks/{id}/approve': approveTask,
  'GET /v1/approvals/{secret}': showApproval,
  'POST /v1/approvals/{secret}': decideApproval,
  'GET /v1/tokens/{token}': showToken,
  'POST /v1/tokens/{token}': submitToken,
};

async function route(event: HttpEvent, _context: Context): Promise<HttpResponse> {
  const routeHandler = handlers[event.routeKey as RouteKey];
  if (!routeHandler) throw new NotFoundError(`No route for ${event.requestContext?.http?.method ?? ''} ${event.rawPath}.`);
  const app = getApp();
  const headers = (event.headers ?? {}) as Record<string, string>;
  const identity = await identify(headers.authorization, app.env);
  return routeHandler({
    method: event.requestContext.http.method,
    path: event.rawPath,
    params: (event.pathParameters ?? {}) as Record<string, string>,
    query: (event.queryStringParameters ?? {}) as Record<string, string>,
    headers,
    body: parseBody(event, headers['content-type']),
    identity,
    wantsHtml: prefersHtml(headers.accept),
    app,
  });
}

/** The HTTP API's Lambda: every route of functions/http/routes.ts. */
export const handler = withHttp(route);
