import type { RouteHandler } from './http-types.ts';
import { requireRole } from './auth.ts';
import { parseWith, taskIdParam } from './parse.ts';
import { json } from './responses.ts';
import { ApproveBodySchema, CreateTaskBodySchema } from './schemas.ts';
import { adminTaskView } from './views.ts';

/**
 * `POST /v1/tasks`: 202 with the task's id and status. Task types with `response: 'uniform'`
 * answer the same body whatever happens next (no id), so nothing can be learned from it.
 */
export const createTask: RouteHandler = async ({ body, identity, app }) => {
  const input = parseWith(CreateTaskBodySchema, body);
  const taskType = app.registry.taskType(input.type);
  const task = await app.engine.createTask(input.type, input.data, identity);
  if (taskType.response === 'uniform') {
    return json(202, { type: taskType.name, status: 'accepted', detail: 'Your request was received. If it can go ahead, an email is on its way.' });
  }
  return json(202, { id: task.id, type: task.type, status: task.status }, { location: `/v1/tasks/${task.id}` });
};

/** `GET /v1/tasks/{id}` (admin): the whole task. */
export const getTask: RouteHandler = async ({ params, identity, app }) => {
  requireRole(identity, 'admin');
  const task = await app.engine.getTask(taskIdParam(params.id));
  return json(200, adminTaskView(task));
};

/** `POST /v1/tasks/{id}/approve` (admin). 409 if decided already (who, when) or invalid (which action, why). */
export const approveTask: RouteHandler = async ({ params, body, identity, app }) => {
  const admin = requireRole(identity, 'admin');
  parseWith(ApproveBodySchema, body);
  const task = await app.engine.decide(taskIdParam(params.id), 'approve', { kind: 'admin', id: admin.email ?? admin.sub });
  return json(200, { id: task.id, status: task.status, approvedBy: task.approvedBy, approvedAt: task.approvedAt });
};
