import * as z from 'zod';
import { NotificationSchema } from '#core/notification';
import { TaskSchema } from '#core/task';
import { actionPath, type ResourceRegistry, resourceRegistry } from '../resources.ts';
import { ApprovalProgressSchema, RequesterTaskViewSchema } from './views.ts';
import { type RouteDefinition, type RouteKey, routeKey, routes } from './routes.ts';
import {
  AcknowledgeBodySchema,
  CancelBodySchema,
  CreateTaskBodySchema,
  BulkDecisionsBodySchema,
  DecisionBodySchema,
  DelegateBodySchema,
  InboxQuerySchema,
  EmptyBodySchema,
  IdempotencyKeySchema,
  ListNotificationsQuerySchema,
  ListTasksQuerySchema,
  NoteBodySchema,
  PageQuerySchema,
  RejectBodySchema,
  UpdateTaskBodySchema,
} from './schemas.ts';

/** RFC 9457 problem document, as every error is answered. */
export const ProblemSchema = z.object({
  type: z.url(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** What each route takes and answers, beyond routes.ts. Typed by route key: every route must be here. */
interface RouteSpec {
  /** More than the summary says, in Markdown. */
  readonly description?: string;
  readonly body?: z.ZodType;
  /** Also accepts application/x-www-form-urlencoded (pages for people following emailed links). */
  readonly form?: boolean;
  readonly query?: z.ZodObject;
  readonly headers?: Record<string, { schema: z.ZodType; description: string }>;
  readonly success: { status: number; description: string; schema?: z.ZodType; html?: boolean };
  readonly errors: number[];
}

const TaskRef = z.object({ id: z.string(), type: z.string(), status: TaskSchema.shape.status });

/** Approval votes: 403 not an approver of the open level (or the requester), 409 already voted or decided. */
const VOTE_ERRORS = [401, 403, 404, 409, 412];
const VoteAnswerSchema = TaskRef.pick({ id: true, status: true }).extend({ approval: ApprovalProgressSchema.optional() });
const InboxItemSchema = z.object({
  taskId: z.string(),
  type: z.string(),
  createdAt: z.string(),
  level: z.object({ name: z.string(), number: z.number(), of: z.number() }),
  quorum: z.number(),
  approvals: z.number(),
  openedAt: z.string().optional(),
  due: z.string().optional(),
  onBehalfOf: z.string().optional(),
});
const BulkAnswerSchema = z.object({
  results: z.array(
    z.union([
      z.object({ taskId: z.string(), ok: z.literal(true), status: TaskSchema.shape.status, level: z.string().optional() }),
      z.object({ taskId: z.string(), ok: z.literal(false), problem: z.object({ status: z.number(), type: z.string(), title: z.string(), detail: z.string() }) }),
    ]),
  ),
  succeeded: z.number(),
  failed: z.number(),
});

const page = <T extends z.ZodType>(key: string, item: T) => z.object({ [key]: z.array(item), cursor: z.string().optional() });
const ADMIN_ERRORS = [401, 403, 404, 409, 412];
/** Optimistic locking on request: the write happens only on the version the client read (GET's ETag). */
const IF_MATCH = {
  'If-Match': {
    schema: z.string().regex(/^(W\/)?"\d+"$|^\*$/),
    description: 'The ETag of GET /v1/tasks/{id} (`"<version>"`): write only if the task is still at that version, else 412. Without it, no write answers 409 for a change it did not make.',
  },
};
/** Token data depends on what the task's actions asked for: GET /v1/tokens/{token} gives its JSON Schema. */
const TokenDataSchema = z.record(z.string(), z.unknown());

export const ROUTE_SPECS: Record<RouteKey, RouteSpec> = {
  'GET /v1/task-types': { success: { status: 200, description: 'The task types, with the JSON Schema of their input' }, errors: [] },
  'POST /v1/tasks': {
    body: CreateTaskBodySchema,
    headers: { 'Idempotency-Key': { schema: IdempotencyKeySchema, description: 'A repeat within 24 h with the same body gets the first answer.' } },
    success: { status: 202, description: 'Task created', schema: TaskRef },
    errors: [400, 401, 403, 404, 409, 422, 429],
  },
  'GET /v1/tasks': {
    query: ListTasksQuerySchema,
    success: { status: 200, description: 'Tasks, newest first: the whole task for admins, the requester view for anyone else', schema: page('tasks', z.union([TaskSchema, RequesterTaskViewSchema])) },
    errors: [400, 401],
  },
  'GET /v1/tasks/{id}': {
    success: { status: 200, description: 'The task (the requester view for its requester and its project\'s admins)', schema: z.union([TaskSchema, RequesterTaskViewSchema]) },
    errors: [401, 404],
  },
  'PUT /v1/tasks/{id}': { body: UpdateTaskBodySchema, headers: IF_MATCH, success: { status: 200, description: 'Updated; validity after preApprove' }, errors: [400, ...ADMIN_ERRORS] },
  'POST /v1/tasks/{id}/approve': {
    body: EmptyBodySchema,
    headers: IF_MATCH,
    success: { status: 200, description: 'Your vote counted; the task\'s status and approval progress (approved at the last level\'s quorum). 202: the task is still validating; your vote is recorded and counts when validation ends', schema: VoteAnswerSchema },
    errors: VOTE_ERRORS,
  },
  'POST /v1/tasks/{id}/reject': { body: RejectBodySchema, headers: IF_MATCH, success: { status: 200, description: 'Rejected; the reason is recorded and emailed', schema: VoteAnswerSchema }, errors: [400, ...VOTE_ERRORS] },
  'POST /v1/tasks/{id}/delegate': {
    body: DelegateBodySchema,
    success: { status: 200, description: 'Your vote at the open level went to `to`, who got a link; yours no longer works', schema: TaskRef.pick({ id: true, status: true }).extend({ delegatedTo: z.string() }) },
    errors: [400, ...VOTE_ERRORS],
  },
  'GET /v1/inbox': {
    query: InboxQuerySchema,
    success: { status: 200, description: 'What waits for your vote, newest first (a page may hold fewer than `limit` when `dueBefore` leaves some out; follow the cursor)', schema: page('items', InboxItemSchema) },
    errors: [400, 401],
  },
  'POST /v1/inbox/decisions': {
    body: BulkDecisionsBodySchema,
    success: { status: 200, description: 'One result per decision, in order: 200 when all counted, 207 when some did not (each failed item has its problem)', schema: BulkAnswerSchema },
    errors: [400, 401],
  },
  'POST /v1/tasks/{id}/cancel': { body: CancelBodySchema, headers: IF_MATCH, success: { status: 200, description: 'Cancelled', schema: TaskRef.pick({ id: true, status: true }) }, errors: ADMIN_ERRORS },
  'POST /v1/tasks/{id}/notes': { body: NoteBodySchema, headers: IF_MATCH, success: { status: 200, description: 'Note added' }, errors: [400, ...ADMIN_ERRORS] },
  'POST /v1/tasks/{id}/token': { body: EmptyBodySchema, headers: IF_MATCH, success: { status: 200, description: 'A new token was emailed' }, errors: ADMIN_ERRORS },
  'POST /v1/tasks/{id}/retry': { body: EmptyBodySchema, headers: IF_MATCH, success: { status: 200, description: 'Retrying from the failed step' }, errors: ADMIN_ERRORS },
  'GET /v1/approvals/{secret}': { success: { status: 200, description: 'The request to decide (JSON, or an HTML page)', html: true }, errors: [404, 409, 410] },
  'POST /v1/approvals/{secret}': {
    body: DecisionBodySchema,
    form: true,
    success: { status: 200, description: 'Your vote counted (or, with `delegate`, went to `to`)', schema: TaskRef.pick({ id: true, status: true }).extend({ delegatedTo: z.string().optional() }), html: true },
    errors: [400, 403, 404, 409, 410],
  },
  'GET /v1/tokens': { query: PageQuerySchema, success: { status: 200, description: 'Tokens, newest first (never the secrets)' }, errors: [400, 401, 403] },
  'DELETE /v1/tokens/expired': { success: { status: 200, description: 'How many expired tokens were deleted', schema: z.object({ deleted: z.number().int() }) }, errors: [401, 403] },
  'GET /v1/tokens/{token}': { success: { status: 200, description: 'What the token needs, as JSON Schema (or an HTML form)', html: true }, errors: [404, 410] },
  'POST /v1/tokens/{token}': {
    body: TokenDataSchema,
    form: true,
    description:
      'A bearer token is optional here, and verified when sent: a task type with `tokenRequiresAuth` (GET /v1/task-types; GET of the link says `requiresSignIn`) takes its token from its requester only: 401 without one, 403 for another account, and the link stays usable.',
    success: { status: 200, description: 'Submitted; the task is completed', schema: TaskRef.pick({ id: true, status: true }), html: true },
    errors: [400, 401, 403, 404, 410],
  },
  'GET /v1/notifications': { query: ListNotificationsQuerySchema, success: { status: 200, description: 'Notifications, newest first', schema: page('notifications', NotificationSchema) }, errors: [400, 401, 403] },
  'POST /v1/notifications/acknowledge': {
    body: AcknowledgeBodySchema,
    success: { status: 200, description: 'Acknowledged', schema: z.object({ acknowledged: z.array(z.string()), unknown: z.array(z.string()) }) },
    errors: [400, 401, 403],
  },
  'GET /v1/notifications/{id}': { success: { status: 200, description: 'The notification', schema: NotificationSchema }, errors: [401, 403, 404] },
  'POST /v1/notifications/{id}/acknowledge': { body: EmptyBodySchema, success: { status: 200, description: 'Acknowledged', schema: NotificationSchema }, errors: [401, 403, 404] },
  'GET /v1/status': { success: { status: 200, description: 'Counts per status, last created and completed tasks, unacknowledged errors' }, errors: [401, 403] },
  'GET /v1/actions': { success: { status: 200, description: 'Resources and their actions, with scope, stability (alpha actions flagged), input JSON Schema and approval' }, errors: [] },
  'POST /v1/todos': { body: z.strictObject({ title: z.string().min(1).max(500) }), success: { status: 201, description: 'The new todo' }, errors: [400, 401] },
  'GET /v1/todos': { query: z.strictObject({ limit: z.number().int().min(1).max(100).optional() }), success: { status: 200, description: 'Todos, newest first' }, errors: [400, 401] },
  'GET /v1/todos/{id}': { success: { status: 200, description: 'The todo' }, errors: [401, 404] },
  'POST /v1/{resource}/{id}/actions/{action}': {
    body: z.record(z.string(), z.unknown()).optional(),
    success: { status: 200, description: "Completed within the request: the action's result (202 with the task when it waits for an approval or a token)" },
    errors: [400, 401, 403, 404, 405, 409],
  },
  'POST /v1/{resource}/actions/{action}': {
    body: z.record(z.string(), z.unknown()).optional(),
    success: { status: 200, description: "Completed within the request: the action's result (202 with the task when it waits for an approval or a token)" },
    errors: [400, 401, 403, 404, 405, 409],
  },
  'GET /v1/openapi.json': { success: { status: 200, description: 'This document' }, errors: [] },
  'GET /docs': { success: { status: 200, description: 'The API reference as a page', html: true }, errors: [] },
};

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
const withoutDialect = ({ $schema: _dialect, ...rest }: Record<string, unknown>) => rest;

function operation(route: RouteDefinition, spec: RouteSpec, registry: ResourceRegistry) {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const queryParameters = Object.entries(spec.query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema: withoutDialect(jsonSchema(schema as z.ZodType)),
  }));
  const headerParameters = Object.entries(spec.headers ?? {}).map(([name, header]) => ({
    name,
    in: 'header',
    required: false,
    description: header.description,
    schema: withoutDialect(jsonSchema(header.schema)),
  }));
  const bodySchema = spec.body ? withoutDialect(jsonSchema(spec.body)) : undefined;
  const successContent: Record<string, unknown> = {
    'application/json': { schema: spec.success.schema ? withoutDialect(jsonSchema(spec.success.schema)) : { type: 'object' } },
    ...(spec.success.html ? { 'text/html': { schema: { type: 'string' } } } : {}),
  };
  const actions = RESOURCE_ACTION_ROUTES.has(routeKey(route)) ? resourceActionsDescription(registry, route.path.includes('{id}') ? 'instance' : 'collection') : '';
  const description = [spec.description, actions].filter(Boolean).join('\n\n');
  return {
    ...(description ? { description } : {}),
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/(^|[/.-])(\w)/g, (_, _sep, char: string) => char.toUpperCase())}`,
    summary: route.summary,
    tags: [route.path.split('/')[2] ?? 'docs'],
    ...(route.auth === 'jwt' ? { security: [{ bearer: [] }] } : {}),
    parameters: [...pathParameters, ...queryParameters, ...headerParameters],
    ...(bodySchema
      ? {
          requestBody: {
            required: !(spec.body?.safeParse(undefined).success ?? false),
            content: {
              'application/json': { schema: bodySchema },
              ...(spec.form ? { 'application/x-www-form-urlencoded': { schema: bodySchema } } : {}),
            },
          },
        }
      : {}),
    responses: {
      [String(spec.success.status)]: { description: spec.success.description, content: successContent },
      ...Object.fromEntries(
        spec.errors.map((status) => [String(status), { $ref: `#/components/responses/Problem${status}` }]),
      ),
      default: { $ref: '#/components/responses/Problem' },
    },
  };
}

const RESOURCE_ACTION_ROUTES = new Set(['POST /v1/{resource}/{id}/actions/{action}', 'POST /v1/{resource}/actions/{action}']);

/** The registered actions of a scope, alpha ones marked, for the generic resource-action operations. */
function resourceActionsDescription(registry: ResourceRegistry, scope: 'instance' | 'collection'): string {
  const lines = registry
    .resources()
    .flatMap((resource) => registry.actionsOf(resource.name))
    .filter((entry) => entry.scope === scope)
    .map((entry) => `- \`POST ${actionPath(entry)}\`${entry.stability === 'alpha' ? ' **[alpha]**' : ` (${entry.stability})`}: ${entry.action.description}`);
  return `Actions:\n${lines.join('\n')}`;
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: errors[] names each field',
  401: 'No valid bearer token',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict: already decided, invalid, duplicate, or wrong state',
  405: 'An instance action called on a collection path, or the reverse',
  410: 'The link expired or was replaced',
  412: 'If-Match names a version the task is no longer at: read it again',
  422: 'The Idempotency-Key was used for another request',
  429: "Too many requests for this address or from this client (the task type's limits): Retry-After says when to try again",
};

/** The OpenAPI 3.1 document of the HTTP API, generated from routes.ts and the zod schemas. */
export function buildOpenApi(serverUrl: string, registry: ResourceRegistry = resourceRegistry) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const spec = ROUTE_SPECS[routeKey(route) as RouteKey];
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route, spec, registry);
  }
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Assent',
      version: '1',
      description: 'Approval workflows: tasks of ordered actions with admin approval and emailed one-time tokens. Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Problem: withoutDialect(jsonSchema(ProblemSchema)) },
      responses: {
        Problem: problem('An error'),
        ...Object.fromEntries(Object.entries(PROBLEM_DESCRIPTIONS).map(([status, description]) => [`Problem${status}`, problem(description)])),
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT from the configured issuer; admin operations need the role "admin" (cancel and token reissue also take "project_admin" of the task\'s project).' } },
    },
  };
}
