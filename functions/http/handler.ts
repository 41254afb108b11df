import type { Context } from 'aws-lambda';
import { NotFoundError } from '#core/errors';
import { dynamoDbIdempotency } from '#adapters/powertools/idempotency';
import { getApp } from '../app.ts';
import { tracer } from '../tracer.ts';
import { decideApproval, showApproval } from './approvals.ts';
import { identify } from './auth.ts';
import { parseBody, prefersHtml } from './body.ts';
import type { HttpEvent, HttpResponse, RouteHandler } from './http-types.ts';
import { withHttp } from './middleware.ts';
import { annotatePathTask } from './tracing.ts';
import type { RouteKey } from './routes.ts';
import { getApiRoot } from './api-root.ts';
import { getConsoleAsset, showConsole } from './console.ts';
import { getDocs, getOpenApi } from './docs.ts';
import { createTodo, getTodo, listActions, listTodos, runCollectionAction, runInstanceAction } from './resources.ts';
import { listTaskTypes } from './task-types.ts';
import { acknowledgeNotification, acknowledgeNotifications, getNotification, getStatus, listNotifications, listTokens, sweepTokens } from './admin.ts';
import { approveTask, delegateTask, getInbox, postInboxDecisions, rejectTask } from './approvers.ts';
import { addNote, cancelTask, createTask, getTask, listTasks, reissueToken, retryTask, updateTask } from './tasks.ts';
import { showToken, submitToken } from './tokens.ts';

/** Route key (as API Gateway sends it in `routeKey`) → handler. Every route in routes.ts has one. */
export const handlers: Record<RouteKey, RouteHandler> = {
  'GET /': getApiRoot,
  'GET /v1': getApiRoot,
  'GET /v1/task-types': listTaskTypes,
  'POST /v1/tasks': createTask,
  'GET /v1/tasks': listTasks,
  'GET /v1/tasks/{id}': getTask,
  'PUT /v1/tasks/{id}': updateTask,
  'POST /v1/tasks/{id}/approve': approveTask,
  'POST /v1/tasks/{id}/reject': rejectTask,
  'POST /v1/tasks/{id}/delegate': delegateTask,
  'GET /v1/inbox': getInbox,
  'POST /v1/inbox/decisions': postInboxDecisions,
  'POST /v1/tasks/{id}/cancel': cancelTask,
  'POST /v1/tasks/{id}/notes': addNote,
  'POST /v1/tasks/{id}/token': reissueToken,
  'POST /v1/tasks/{id}/retry': retryTask,
  'GET /v1/approvals/{secret}': showApproval,
  'POST /v1/approvals/{secret}': decideApproval,
  'GET /v1/tokens': listTokens,
  'DELETE /v1/tokens/expired': sweepTokens,
  'GET /v1/tokens/{token}': showToken,
  'POST /v1/tokens/{token}': submitToken,
  'GET /v1/notifications': listNotifications,
  'POST /v1/notifications/acknowledge': acknowledgeNotifications,
  'GET /v1/notifications/{id}': getNotification,
  'POST /v1/notifications/{id}/acknowledge': acknowledgeNotification,
  'GET /v1/status': getStatus,
  'GET /v1/actions': listActions,
  'POST /v1/todos': createTodo,
  'GET /v1/todos': listTodos,
  'GET /v1/todos/{id}': getTodo,
  'POST /v1/{resource}/{id}/actions/{action}': runInstanceAction,
  'POST /v1/{resource}/actions/{action}': runCollectionAction,
  'GET /v1/openapi.json': getOpenApi,
  'GET /docs': getDocs,
  'GET /console': showConsole,
  'GET /console/{asset}': getConsoleAsset,
};

async function route(event: HttpEvent, context: Context): Promise<HttpResponse> {
  // `$default` (no route matched) and anything else unknown: a 404 problem, not API Gateway's {"message":"Not Found"}.
  const routeHandler = Object.hasOwn(handlers, event.routeKey) ? handlers[event.routeKey as RouteKey] : undefined;
  if (!routeHandler) throw new NotFoundError(`There is no route ${event.requestContext?.http?.method ?? ''} ${event.rawPath}. GET /v1/openapi.json lists the routes.`);
  annotatePathTask(tracer, event);
  const app = getApp('http', { tracer, idempotency: dynamoDbIdempotency });
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
    sourceIp: event.requestContext.http.sourceIp ?? '',
    wantsHtml: prefersHtml(headers.accept),
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
    app,
  });
}

/** The HTTP API's Lambda: every route of functions/http/routes.ts. */
export const handler = withHttp(route, tracer);
