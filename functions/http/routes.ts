/**
 * The HTTP API's routes, as data. One source for three consumers: the CDK HTTP API (which attaches
 * the JWT authorizer to `auth: 'jwt'` routes), the local gateway (which does the same with the local
 * signing key) and the handler's router. Plain data: no SDK, no handler code.
 */
export type RouteAuth =
  /** API Gateway's JWT authorizer must accept the bearer token; roles are checked by the handler. */
  | 'jwt'
  /** Anyone may call; a bearer token, when sent, is verified by the handler and identifies the caller. */
  | 'none';

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path template, e.g. `/v1/tasks/{id}`. */
  readonly path: string;
  readonly auth: RouteAuth;
  readonly summary: string;
}

export const routes = [
  { method: 'GET', path: '/', auth: 'none', summary: 'What this API is: name, version, links to its documentation' },
  { method: 'GET', path: '/v1', auth: 'none', summary: 'What version 1 of this API is: name, version, links to its documentation' },
  { method: 'GET', path: '/v1/task-types', auth: 'none', summary: 'List task types and the JSON Schema of their input' },
  { method: 'POST', path: '/v1/tasks', auth: 'none', summary: 'Create a task (Idempotency-Key honoured)' },
  { method: 'GET', path: '/v1/tasks', auth: 'jwt', summary: 'List tasks, newest first, with filters and a cursor: admins all; project admins their projects\' and their own; anyone else their own' },
  { method: 'GET', path: '/v1/tasks/{id}', auth: 'jwt', summary: 'Read a task (admin, the requester, or a project admin of its project)' },
  { method: 'PUT', path: '/v1/tasks/{id}', auth: 'jwt', summary: "Update a pending or failed task's data; undoes a failed task's effects first, re-runs preApprove (admin)" },
  { method: 'POST', path: '/v1/tasks/{id}/approve', auth: 'jwt', summary: 'Cast your approving vote at the level the task\'s approval is at (an approver of that level)' },
  { method: 'POST', path: '/v1/tasks/{id}/reject', auth: 'jwt', summary: 'Reject a pending task with a reason: any reject ends it (an approver of the open level)' },
  { method: 'POST', path: '/v1/tasks/{id}/delegate', auth: 'jwt', summary: 'Hand your vote at the open level to someone else, who gets a link; yours stops working' },
  { method: 'GET', path: '/v1/inbox', auth: 'jwt', summary: 'What waits for your vote: due dates, quorum progress, filters and a cursor' },
  { method: 'POST', path: '/v1/inbox/decisions', auth: 'jwt', summary: 'Vote on several tasks at once: one result per item, failures reported per item' },
  { method: 'POST', path: '/v1/tasks/{id}/cancel', auth: 'jwt', summary: 'Cancel a task: stops its workflow, revokes its links (admin, or a project admin of its project)' },
  { method: 'POST', path: '/v1/tasks/{id}/notes', auth: 'jwt', summary: 'Add a note to a task (admin)' },
  { method: 'POST', path: '/v1/tasks/{id}/token', auth: 'jwt', summary: 'Reissue the token of a task waiting for one (admin, or a project admin of its project)' },
  { method: 'POST', path: '/v1/tasks/{id}/retry', auth: 'jwt', summary: 'Retry a failed task from the step that failed (admin)' },
  { method: 'GET', path: '/v1/approvals/{secret}', auth: 'none', summary: 'Show an approval request; changes nothing' },
  { method: 'POST', path: '/v1/approvals/{secret}', auth: 'none', summary: 'Approve, reject or delegate through a one-time approval link' },
  { method: 'GET', path: '/v1/tokens', auth: 'jwt', summary: 'List tokens, newest first (admin)' },
  { method: 'DELETE', path: '/v1/tokens/expired', auth: 'jwt', summary: 'Delete expired tokens (admin)' },
  { method: 'GET', path: '/v1/tokens/{token}', auth: 'none', summary: 'Show what a token needs (JSON, or an HTML form)' },
  { method: 'POST', path: '/v1/tokens/{token}', auth: 'none', summary: 'Submit a token with the data it needs (with the requester\'s bearer token when its type has tokenRequiresAuth)' },
  { method: 'GET', path: '/v1/notifications', auth: 'jwt', summary: 'List operator notifications, newest first (admin)' },
  { method: 'POST', path: '/v1/notifications/acknowledge', auth: 'jwt', summary: 'Acknowledge several notifications (admin)' },
  { method: 'GET', path: '/v1/notifications/{id}', auth: 'jwt', summary: 'Read a notification (admin)' },
  { method: 'POST', path: '/v1/notifications/{id}/acknowledge', auth: 'jwt', summary: 'Acknowledge a notification (admin)' },
  { method: 'GET', path: '/v1/status', auth: 'jwt', summary: 'Counts per status, last created and completed tasks, recent errors (admin)' },
  { method: 'GET', path: '/v1/actions', auth: 'none', summary: 'The resources, their actions, scope, stability, input JSON Schema and approval policy' },
  { method: 'POST', path: '/v1/todos', auth: 'jwt', summary: 'Create a todo (the example resource)' },
  { method: 'GET', path: '/v1/todos', auth: 'jwt', summary: 'List todos, newest first' },
  { method: 'GET', path: '/v1/todos/{id}', auth: 'jwt', summary: 'Read a todo' },
  { method: 'POST', path: '/v1/{resource}/{id}/actions/{action}', auth: 'jwt', summary: 'Run an action on one item of a resource (see GET /v1/actions)' },
  { method: 'POST', path: '/v1/{resource}/actions/{action}', auth: 'jwt', summary: 'Run an action on a whole resource (see GET /v1/actions)' },
  { method: 'GET', path: '/v1/openapi.json', auth: 'none', summary: 'This API as an OpenAPI 3.1 document' },
  { method: 'GET', path: '/docs', auth: 'none', summary: 'This API as a readable page' },
  { method: 'GET', path: '/console', auth: 'none', summary: 'The console: approvers\' inbox, task detail, admins\' day-to-day work (signs in against the user pool in the browser)' },
  { method: 'GET', path: '/console/{asset}', auth: 'none', summary: 'The console\'s script and style sheet' },
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof routes)[number];
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
export type RouteKey = KeyOf<Route>;

export const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;

/**
 * API Gateway's catch-all route: a request that no route above matches, by path or by method, reaches
 * the handler with this `routeKey` (no authorizer), and the handler answers it with a 404 problem.
 * The local gateway does the same.
 */
export const DEFAULT_ROUTE_KEY = '$default';
