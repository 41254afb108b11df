import { ulid } from 'ulid';
import * as z from 'zod';
import { MethodNotAllowedError, NotFoundError, UnauthorizedError } from '#core/errors';
import type { Task } from '#core/task';
import { actionPath, type ResourceActionEntry, type ResourceRegistry, taskTypeName } from '../resources.ts';
import type { RouteHandler } from './http-types.ts';
import { itemIdParam, parseWith } from './parse.ts';
import { ActionAcceptedSchema, ActionResultSchema, answer, ResourceListingSchema, TodoComponent, TodoListSchema } from './response-schemas.ts';

/** How long a resource action call waits for its task to finish before answering 202. */
const WAIT_MS = 8_000;

const describeEntry = (entry: ResourceActionEntry) => {
  const { id: _id, ...input } = entry.action.schema.shape;
  return {
    name: entry.action.name,
    description: entry.action.description,
    scope: entry.scope,
    stability: entry.stability,
    ...(entry.stability === 'alpha' ? { warning: 'Alpha: may change or go away without notice.' } : {}),
    approval: entry.approval,
    method: 'POST' as const,
    path: actionPath(entry),
    taskType: taskTypeName(entry),
    inputSchema: z.toJSONSchema(z.object(input), { io: 'input' }),
  };
};

/** The registry, self-documented: what `GET /v1/actions` answers. Alpha actions carry a warning. */
export const describeResources = (registry: ResourceRegistry) => ({
  resources: registry.resources().map((resource) => ({
    name: resource.name,
    description: resource.description,
    basePath: `/v1/${resource.name}`,
    actions: registry.actionsOf(resource.name).map(describeEntry),
  })),
});

/** `GET /v1/actions`. */
export const listActions: RouteHandler = async ({ app }) => answer(ResourceListingSchema, 200, describeResources(app.resources));

/** Runs a resource action as a task; 200 with its result if it finishes now, else 202 with the task. */
const runAction =
  (scope: ResourceActionEntry['scope']): RouteHandler =>
  async ({ params, body, identity, app }) => {
    const resourceName = params.resource ?? '';
    const resource = app.resources.resource(resourceName);
    if (!resource) throw new NotFoundError(`There is no resource "${resourceName}". GET /v1/actions lists them.`);
    const entry = app.resources.find(resourceName, params.action ?? '');
    if (!entry) throw new NotFoundError(`Resource "${resourceName}" has no action "${params.action ?? ''}". GET /v1/actions lists them.`);
    if (entry.scope !== scope) {
      throw new MethodNotAllowedError(
        `"${entry.action.name}" is a${entry.scope === 'instance' ? 'n instance' : ' collection'} action: call POST ${actionPath(entry)}.`,
      );
    }
    if (!identity && entry.access !== 'public') throw new UnauthorizedError('This needs a bearer token.');
    const input = parseWith(z.record(z.string(), z.unknown()).optional(), body) ?? {};
    if (scope === 'instance') {
      const notFound = `There is no ${resourceName} item ${params.id ?? ''}.`;
      const id = itemIdParam(params.id, notFound);
      if (!(await resource.exists(app.ports, id))) throw new NotFoundError(notFound);
      input.id = id;
    }
    const created = await app.core.requests.createTask(taskTypeName(entry), input, identity);
    const task = await settle(created.id, (id) => app.core.reads.getTask(id));
    if (task.status === 'completed') {
      return answer(ActionResultSchema, 200, { taskId: task.id, status: task.status, result: task.actions[0]?.stored.result ?? null });
    }
    return answer(ActionAcceptedSchema, 202, { taskId: task.id, type: task.type, status: task.status, task: `/v1/tasks/${task.id}` }, { location: `/v1/tasks/${task.id}` });
  };

/** Waits (briefly) until the task leaves its first steps: done, ended, or waiting for a human. */
async function settle(id: string, get: (id: string) => Promise<Task>): Promise<Task> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const task = await get(id);
    const waitingForHuman = task.wait !== undefined || task.status === 'awaiting_token';
    if (!['pending', 'approved'].includes(task.status) || waitingForHuman || Date.now() > deadline) return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const runInstanceAction = runAction('instance');
export const runCollectionAction = runAction('collection');

/** `POST /v1/todos`. */
export const CreateTodoSchema = z.strictObject({ title: z.string({ error: 'Required' }).trim().min(1).max(500) });
/** `GET /v1/todos` query. */
export const TodoQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(25) });

/** `POST /v1/todos`. */
export const createTodo: RouteHandler = async ({ body, identity, app }) => {
  if (!identity) throw new UnauthorizedError('This needs a bearer token.');
  const { title } = parseWith(CreateTodoSchema, body);
  const todo = { id: ulid(), title, done: false, archived: false, createdAt: app.ports.clock.now().toISOString() };
  await app.ports.todos.create(todo);
  return answer(TodoComponent, 201, todo, { location: `/v1/todos/${todo.id}` });
};

/** `GET /v1/todos`. */
export const listTodos: RouteHandler = async ({ query, app }) => {
  const { limit } = parseWith(TodoQuerySchema, query, 'query');
  return answer(TodoListSchema, 200, { todos: await app.ports.todos.list(limit) });
};

/** `GET /v1/todos/{id}`. */
export const getTodo: RouteHandler = async ({ params, app }) => {
  const notFound = `There is no todo ${params.id ?? ''}.`;
  const todo = await app.ports.todos.get(itemIdParam(params.id, notFound));
  if (!todo) throw new NotFoundError(notFound);
  return answer(TodoComponent, 200, todo);
};

