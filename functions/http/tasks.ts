import { ValidationError } from '#core/errors';
import type { Actor, Identity } from '#core/identity';
import type { Task } from '#core/task';
import type { HttpRequest, RouteHandler } from './http-types.ts';
import { requireRole } from './auth.ts';
import { ifMatchOf, parseWith, taskIdParam } from './parse.ts';
import type * as z from 'zod';
import { AdminNotesSchema, answer, RetriedSchema, TaskAnyViewSchema, TaskCreatedSchema, TaskPageSchema, TaskStatusRefSchema, TokenReissuedSchema, UpdatedTaskSchema } from './response-schemas.ts';
import {
  CancelBodySchema,
  CreateTaskBodySchema,
  EmptyBodySchema,
  IdempotencyKeySchema,
  ListTasksQuerySchema,
  NoteBodySchema,
  UpdateTaskBodySchema,
} from './schemas.ts';
import { adminTaskView, approverTaskView, requesterTaskView } from './views.ts';

const adminActor = (admin: Identity): Actor => ({ kind: 'admin', id: admin.email ?? admin.sub });

/** The ETag of a task: its version. A client sends it back as `If-Match` to write only on that version. */
const etagOf = (task: Task) => `"${task.version}"`;

/**
 * `POST /v1/tasks`: 202 with the task's id and status. Task types with `response: 'uniform'`
 * answer the same body whatever happens next (no id), so nothing can be learned from it.
 * With an `Idempotency-Key`, a repeat within 24 h gets the first answer, and the task gets the id
 * of the key and body (core/idempotency.ts `idFor`): a retry after a request that died answers the task that
 * one created.
 */
export const createTask: RouteHandler = async ({ body, identity, headers, sourceIp, remainingTimeMs, app }) => {
  const input = parseWith(CreateTaskBodySchema, body);
  const run = async (id?: string): Promise<{ status: number; body: z.output<typeof TaskCreatedSchema> }> => {
    const taskType = app.registry.taskType(input.type);
    // Under a key, the id is the key's: a run after one that died finds the task that one created.
    const options = id === undefined ? {} : { id, resume: true };
    const task = await app.core.requests.createTask(input.type, input.data, identity, { ip: sourceIp }, options);
    if (taskType.response === 'uniform') {
      return { status: 202, body: { type: taskType.name, status: 'accepted', detail: 'Your request was received. If it can go ahead, an email is on its way.' } };
    }
    return { status: 202, body: { id: task.id, type: task.type, status: task.status } };
  };
  const rawKey = headers['idempotency-key'];
  if (rawKey === undefined) {
    const result = await run();
    return answer(TaskCreatedSchema, result.status, result.body, locationOf(result.body));
  }
  const key = IdempotencyKeySchema.safeParse(rawKey);
  if (!key.success) throw new ValidationError([{ path: 'headers.idempotency-key', message: key.error.issues[0]?.message ?? 'Invalid' }]);
  const result = await app.core.requests.idempotent({ key: `${identity?.sub ?? 'anonymous'}#${key.data}`, body: input, remainingTimeMs }, run);
  // The body `run` answered, now or for the first request with this key (stored as it was).
  const answered = result.body as z.output<typeof TaskCreatedSchema>;
  return answer(TaskCreatedSchema, result.status, answered, { ...locationOf(answered), ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}) });
};

const locationOf = (body: unknown): Record<string, string> =>
  body && typeof body === 'object' && 'id' in body ? { location: `/v1/tasks/${String((body as { id: unknown }).id)}` } : {};

/**
 * `GET /v1/tasks`: newest first, filtered, with a cursor, by role: admins every task (the whole
 * view); anyone else signed in their own tasks and, as `project_admin`, their project's (the
 * requester's view).
 */
export const listTasks: RouteHandler = async ({ query, identity, app }) => {
  const filters = parseWith(ListTasksQuerySchema, query, 'query');
  const { page, asAdmin } = await app.core.reads.listTasksFor(identity, filters);
  const view = asAdmin ? adminTaskView : requesterTaskView;
  return answer(TaskPageSchema, 200, { tasks: page.items.map((task) => view(task)), ...(page.cursor ? { cursor: page.cursor } : {}) });
};

/** `GET /v1/tasks/{id}`: the whole task for admins; the requester's view for its requester; 404 for anyone else. */
export const getTask: RouteHandler = async ({ params, identity, app }) => {
  const { task, asAdmin, asApprover } = await app.core.reads.getTaskFor(taskIdParam(params.id), identity);
  const view = asAdmin ? adminTaskView(task) : asApprover ? approverTaskView(task) : requesterTaskView(task);
  return answer(TaskAnyViewSchema, 200, view, { etag: etagOf(task) });
};

/** `PUT /v1/tasks/{id}` (admin): new data for a pending task; answers its validity after preApprove. */
export const updateTask: RouteHandler = async ({ params, body, identity, headers, app }) => {
  const admin = requireRole(identity, 'admin');
  const input = parseWith(UpdateTaskBodySchema, body);
  const task = await app.core.admin.updateData(taskIdParam(params.id), input.data, adminActor(admin), ifMatchOf(headers));
  return answer(UpdatedTaskSchema, 200, {
    id: task.id,
    status: task.status,
    valid: task.actions.every((action) => action.valid),
    actions: task.actions.map((action) => ({ name: action.name, valid: action.valid, notes: action.notes })),
  });
};

const adminOperation =
  <S extends z.ZodType>(schema: S, operate: (request: HttpRequest, id: string, actor: Actor) => Promise<z.output<S>>): RouteHandler =>
  async (request) => {
    const admin = requireRole(request.identity, 'admin');
    const result = await operate(request, taskIdParam(request.params.id), adminActor(admin));
    return answer(schema, 200, result);
  };

/** `POST /v1/tasks/{id}/cancel` (admin, or project admin of the task's project). */
export const cancelTask: RouteHandler = async ({ params, body, headers, identity, app }) => {
  const { actor, projectId } = await app.core.admin.operatorOf(identity);
  const input = parseWith(CancelBodySchema, body);
  const task = await app.core.admin.cancel(taskIdParam(params.id), actor, input?.reason, ifMatchOf(headers), projectId);
  return answer(TaskStatusRefSchema, 200, { id: task.id, status: task.status });
};

/** `POST /v1/tasks/{id}/notes` (admin). */
export const addNote = adminOperation(AdminNotesSchema, async ({ body, headers, app }, id, actor) => {
  const { note } = parseWith(NoteBodySchema, body);
  const task = await app.core.admin.addNote(id, actor, note, ifMatchOf(headers));
  return { id: task.id, adminNotes: task.adminNotes };
});

/** `POST /v1/tasks/{id}/token` (admin, or project admin of the task's project): the old link stops working; a new one is emailed. */
export const reissueToken: RouteHandler = async ({ params, body, headers, identity, app }) => {
  const { actor, projectId } = await app.core.admin.operatorOf(identity);
  parseWith(EmptyBodySchema, body);
  const task = await app.core.admin.reissueToken(taskIdParam(params.id), actor, ifMatchOf(headers), projectId);
  return answer(TokenReissuedSchema, 200, { id: task.id, status: task.status, detail: 'A new token was emailed; the old link no longer works.' });
};

/** `POST /v1/tasks/{id}/retry` (admin): a failed task starts again from the step that failed. */
export const retryTask = adminOperation(RetriedSchema, async ({ body, headers, app }, id, actor) => {
  parseWith(EmptyBodySchema, body);
  const task = await app.core.admin.retry(id, actor, ifMatchOf(headers));
  return { id: task.id, status: task.status, attempt: task.attempt };
});
