import * as z from 'zod';
import type { Registry } from '#core/registry';
import {
  AcknowledgedSchema,
  ActionAcceptedSchema,
  ActionResultSchema,
  AdminNotesSchema,
  ApiRootSchema,
  ApprovalRequestSchema,
  BulkResultsSchema,
  DelegatedSchema,
  InboxPageSchema,
  LinkDecisionSchema,
  NotificationComponent,
  NotificationPageSchema,
  OpenApiDocumentSchema,
  RejectAnswerSchema,
  ResourceListingSchema,
  RetriedSchema,
  StatusSchema,
  SweptSchema,
  TaskAnyViewSchema,
  TaskPageSchema,
  TaskCreatedSchema,
  TaskStatusRefSchema,
  TaskTypeListingSchema,
  TodoComponent,
  TodoListSchema,
  TokenPageSchema,
  TokenReissuedSchema,
  TokenRequestSchema,
  UpdatedTaskSchema,
  VoteAnswerSchema,
  VoteQueuedSchema,
} from './response-schemas.ts';
import type { RouteKey } from './routes.ts';
import { CreateTodoSchema, TodoQuerySchema } from './resources.ts';
import {
  AcknowledgeBodySchema,
  BulkDecisionsBodySchema,
  CancelBodySchema,
  DecisionBodySchema,
  DelegateBodySchema,
  EmptyBodySchema,
  IdempotencyKeySchema,
  InboxQuerySchema,
  ListNotificationsQuerySchema,
  ListTasksQuerySchema,
  NoteBodySchema,
  PageQuerySchema,
  RejectBodySchema,
  UpdateTaskBodySchema,
} from './schemas.ts';

interface Header {
  readonly schema: z.ZodType;
  readonly description: string;
}

/** One answer of a route: its JSON schema (one of response-schemas.ts, the handler's), and whether a browser gets a page instead. */
export interface Answer {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly html?: boolean;
  readonly headers?: Record<string, Header>;
}

/** What each route takes and answers, beyond routes.ts. Typed by route key: every route must be here. */
export interface RouteSpec {
  /** More than the summary says, in Markdown (CommonMark, as OpenAPI reads it; /docs renders it). */
  readonly description?: string;
  /** The body the handler parses; a function of the task types for a body that depends on them. */
  readonly body?: z.ZodType | ((taskTypes: Registry) => z.ZodType);
  /** Also accepts application/x-www-form-urlencoded (pages for people following emailed links). */
  readonly form?: boolean;
  readonly query?: z.ZodObject;
  readonly headers?: Record<string, Header>;
  /** Every success status and what it carries. */
  readonly answers: Readonly<Record<number, Answer>>;
  /** Problem statuses (application/problem+json); 500 and 503 are the `default`. */
  readonly errors: readonly number[];
}

/** Approval votes: 403 not an approver of the open level (or the requester), 409 already voted or decided. */
const VOTE_ERRORS = [401, 403, 404, 409, 412];
const ADMIN_ERRORS = [401, 403, 404, 409, 412];
/** Optimistic locking on request: the write happens only on the version the client read (GET's ETag). */
const IF_MATCH = {
  'If-Match': {
    schema: z.string().regex(/^(W\/)?"\d+"$|^\*$/),
    description: 'The ETag of GET /v1/tasks/{id} (`"<version>"`): write only if the task is still at that version, else 412. Without it, no write answers 409 for a change it did not make.',
  },
};
const ETAG = { ETag: { schema: z.string(), description: "The task's version (`\"<version>\"`): send it back as If-Match." } };
const LOCATION = { Location: { schema: z.string(), description: 'Where to read what was created.' } };
/** Token data depends on what the task's actions asked for: GET /v1/tokens/{token} gives its JSON Schema. */
const TokenDataSchema = z.record(z.string(), z.unknown());
const ActionBodySchema = z.record(z.string(), z.unknown()).optional();
const ABOUT = { 200: { description: 'What this API is, its version and where its documentation is (JSON, or a page for browsers)', schema: ApiRootSchema, html: true } };
const ACTION_ANSWERS = {
  200: { description: "Completed within the request: the action's result", schema: ActionResultSchema },
  202: { description: 'The action waits for an approval or a token: the task to follow', schema: ActionAcceptedSchema, headers: LOCATION },
};

const pascal = (name: string) => name.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_, _sep, char: string) => char.toUpperCase());

/** `POST /v1/tasks`: one body variant per task type, `data` its actions' input, discriminated by `type`. */
export function taskRequestSchema(registry: Registry) {
  const variants = registry.listTaskTypes().map((taskType) =>
    z
      .strictObject({ type: z.literal(taskType.name), data: registry.inputSchema(taskType) })
      .meta({ id: `${pascal(taskType.name)}TaskRequest`, description: `${taskType.description} (task type \`${taskType.name}\`)` }),
  );
  return z.discriminatedUnion('type', variants as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>, ...z.ZodObject<{ type: z.ZodLiteral<string> }>[]]);
}

export const ROUTE_SPECS: Record<RouteKey, RouteSpec> = {
  'GET /': { answers: ABOUT, errors: [] },
  'GET /v1': { answers: ABOUT, errors: [] },
  'GET /v1/task-types': { answers: { 200: { description: 'The task types, with the JSON Schema of their input', schema: TaskTypeListingSchema } }, errors: [] },
  'POST /v1/tasks': {
    body: taskRequestSchema,
    description: 'One body per task type, told apart by `type`; `data` is that type\'s input (GET /v1/task-types has it as JSON Schema too).',
    headers: { 'Idempotency-Key': { schema: IdempotencyKeySchema, description: 'A repeat within 24 h with the same body gets the first answer.' } },
    answers: { 202: { description: 'Task created (task types with `response: uniform` answer the same body whatever happens, without an id)', schema: TaskCreatedSchema, headers: LOCATION } },
    errors: [400, 401, 403, 404, 409, 422, 429],
  },
  'GET /v1/tasks': {
    query: ListTasksQuerySchema,
    answers: { 200: { description: 'Tasks, newest first: the whole task for admins, the requester view for anyone else', schema: TaskPageSchema } },
    errors: [400, 401],
  },
  'GET /v1/tasks/{id}': {
    answers: { 200: { description: "The task (the requester view for its requester, its project's admins and its approvers)", schema: TaskAnyViewSchema, headers: ETAG } },
    errors: [401, 404],
  },
  'PUT /v1/tasks/{id}': { body: UpdateTaskBodySchema, headers: IF_MATCH, answers: { 200: { description: 'Updated; validity after preApprove', schema: UpdatedTaskSchema } }, errors: [400, ...ADMIN_ERRORS] },
  'POST /v1/tasks/{id}/approve': {
    body: EmptyBodySchema,
    headers: IF_MATCH,
    answers: {
      200: { description: "Your vote counted; the task's status and approval progress (approved at the last level's quorum)", schema: VoteAnswerSchema, headers: ETAG },
      202: { description: 'The task is still validating; your vote is recorded and counts when validation ends', schema: VoteQueuedSchema, headers: ETAG },
    },
    errors: VOTE_ERRORS,
  },
  'POST /v1/tasks/{id}/reject': {
    body: RejectBodySchema,
    headers: IF_MATCH,
    answers: {
      200: { description: 'Rejected (the reason is recorded and emailed), or, at a level that needs more, your vote counted', schema: z.union([RejectAnswerSchema, VoteAnswerSchema]), headers: ETAG },
      202: { description: 'The task is still validating; your vote is recorded and counts when validation ends', schema: VoteQueuedSchema, headers: ETAG },
    },
    errors: [400, ...VOTE_ERRORS],
  },
  'POST /v1/tasks/{id}/delegate': {
    body: DelegateBodySchema,
    answers: { 200: { description: 'Your vote at the open level went to `to`, who got a link; yours no longer works', schema: DelegatedSchema } },
    errors: [400, ...VOTE_ERRORS],
  },
  'GET /v1/inbox': {
    query: InboxQuerySchema,
    answers: { 200: { description: 'What waits for your vote, newest first (a page may hold fewer than `limit` when `dueBefore` leaves some out; follow the cursor)', schema: InboxPageSchema } },
    errors: [400, 401],
  },
  'POST /v1/inbox/decisions': {
    body: BulkDecisionsBodySchema,
    answers: {
      200: { description: 'Every decision counted: one result per decision, in order', schema: BulkResultsSchema },
      207: { description: 'Some did not: each failed item has its problem', schema: BulkResultsSchema },
    },
    errors: [400, 401],
  },
  'POST /v1/tasks/{id}/cancel': { body: CancelBodySchema, headers: IF_MATCH, answers: { 200: { description: 'Cancelled', schema: TaskStatusRefSchema } }, errors: ADMIN_ERRORS },
  'POST /v1/tasks/{id}/notes': { body: NoteBodySchema, headers: IF_MATCH, answers: { 200: { description: 'Note added', schema: AdminNotesSchema } }, errors: [400, ...ADMIN_ERRORS] },
  'POST /v1/tasks/{id}/token': { body: EmptyBodySchema, headers: IF_MATCH, answers: { 200: { description: 'A new token was emailed', schema: TokenReissuedSchema } }, errors: ADMIN_ERRORS },
  'POST /v1/tasks/{id}/retry': { body: EmptyBodySchema, headers: IF_MATCH, answers: { 200: { description: 'Retrying from the failed step', schema: RetriedSchema } }, errors: ADMIN_ERRORS },
  'GET /v1/approvals/{secret}': { answers: { 200: { description: 'The request to decide (JSON, or an HTML page)', schema: ApprovalRequestSchema, html: true } }, errors: [404, 409, 410] },
  'POST /v1/approvals/{secret}': {
    body: DecisionBodySchema,
    form: true,
    answers: { 200: { description: 'Your vote counted (or, with `delegate`, went to `to`)', schema: LinkDecisionSchema, html: true } },
    errors: [400, 403, 404, 409, 410],
  },
  'GET /v1/tokens': { query: PageQuerySchema, answers: { 200: { description: 'Tokens, newest first (never the secrets)', schema: TokenPageSchema } }, errors: [400, 401, 403] },
  'DELETE /v1/tokens/expired': { answers: { 200: { description: 'How many expired tokens were deleted', schema: SweptSchema } }, errors: [400, 401, 403] },
  'GET /v1/tokens/{token}': { answers: { 200: { description: 'What the token needs, as JSON Schema (or an HTML form)', schema: TokenRequestSchema, html: true } }, errors: [404, 410] },
  'POST /v1/tokens/{token}': {
    body: TokenDataSchema,
    form: true,
    description:
      'A bearer token is optional here, and verified when sent: a task type with `tokenRequiresAuth` (GET /v1/task-types; GET of the link says `requiresSignIn`) takes its token from its requester only: 401 without one, 403 for another account, and the link stays usable.',
    answers: { 200: { description: 'Submitted; the task is completed', schema: TaskStatusRefSchema, html: true } },
    errors: [400, 401, 403, 404, 410],
  },
  'GET /v1/notifications': { query: ListNotificationsQuerySchema, answers: { 200: { description: 'Notifications, newest first', schema: NotificationPageSchema } }, errors: [400, 401, 403] },
  'POST /v1/notifications/acknowledge': { body: AcknowledgeBodySchema, answers: { 200: { description: 'Acknowledged', schema: AcknowledgedSchema } }, errors: [400, 401, 403] },
  'GET /v1/notifications/{id}': { answers: { 200: { description: 'The notification', schema: NotificationComponent } }, errors: [401, 403, 404] },
  'POST /v1/notifications/{id}/acknowledge': { body: EmptyBodySchema, answers: { 200: { description: 'Acknowledged', schema: NotificationComponent } }, errors: [400, 401, 403, 404] },
  'GET /v1/status': { answers: { 200: { description: 'Counts per status (kept up to 30 s by each function instance: they may lag that long), last created and completed tasks, unacknowledged errors, stranded tasks', schema: StatusSchema } }, errors: [401, 403] },
  'GET /v1/actions': { answers: { 200: { description: 'Resources and their actions, with scope, stability (alpha actions flagged), input JSON Schema and approval', schema: ResourceListingSchema } }, errors: [] },
  'POST /v1/todos': { body: CreateTodoSchema, answers: { 201: { description: 'The new todo', schema: TodoComponent, headers: LOCATION } }, errors: [400, 401] },
  'GET /v1/todos': { query: TodoQuerySchema, answers: { 200: { description: 'Todos, newest first', schema: TodoListSchema } }, errors: [400, 401] },
  'GET /v1/todos/{id}': { answers: { 200: { description: 'The todo', schema: TodoComponent } }, errors: [401, 404] },
  'POST /v1/{resource}/{id}/actions/{action}': { body: ActionBodySchema, answers: ACTION_ANSWERS, errors: [400, 401, 403, 404, 405, 409] },
  'POST /v1/{resource}/actions/{action}': { body: ActionBodySchema, answers: ACTION_ANSWERS, errors: [400, 401, 403, 404, 405, 409] },
  'GET /v1/openapi.json': { answers: { 200: { description: 'This document', schema: OpenApiDocumentSchema } }, errors: [] },
  'GET /docs': { answers: { 200: { description: 'The API reference as a page', html: true } }, errors: [] },
  'GET /console': { answers: { 200: { description: 'The console\'s page (it loads its script and style sheet from /console/{asset})', html: true } }, errors: [] },
  'GET /console/{asset}': { answers: { 200: { description: 'console.client.js or console.css (revalidated by ETag: 304 when unchanged)', html: true } }, errors: [404] },
};
