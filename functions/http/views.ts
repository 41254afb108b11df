import * as z from 'zod';
import type { TokenState } from '#core/queries';
import { type Task, TaskStatusSchema } from '#core/task';

/** A task as admins see it: everything but the Step Functions token. */
export function adminTaskView(task: Task) {
  const { wait, tokenUse, ...rest } = task;
  return {
    ...rest,
    ...(wait ? { waitingFor: wait.kind, waitingSince: wait.since } : {}),
    ...(tokenUse ? { tokenSubmittedAt: tokenUse.at } : {}),
  };
}

/**
 * A task as its requester sees it, and as its project's admins list it: what was asked for and
 * where it stands. No notes (they may hold operators' remarks), no failure detail, no approver
 * identities.
 */
export const RequesterTaskViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: TaskStatusSchema,
  projectId: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().optional(),
  actions: z.array(z.object({ name: z.string(), data: z.record(z.string(), z.unknown()) })),
  history: z.array(z.object({ at: z.string(), event: z.string(), status: TaskStatusSchema })),
});
export type RequesterTaskView = z.infer<typeof RequesterTaskViewSchema>;

export function requesterTaskView(task: Task): RequesterTaskView {
  return {
    id: task.id,
    type: task.type,
    status: task.status,
    ...(task.projectId === undefined ? {} : { projectId: task.projectId }),
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    ...(task.completedAt ? { completedAt: task.completedAt } : {}),
    actions: task.actions.map((action) => ({ name: action.name, data: action.data })),
    history: task.history.map((entry) => ({ at: entry.at, event: entry.event, status: entry.to })),
  };
}

/** What an approver sees through a link: the request, its validity and notes. */
export function approvalView(task: Task) {
  return {
    id: task.id,
    type: task.type,
    status: task.status,
    createdAt: task.createdAt,
    actions: task.actions.map((action) => ({
      name: action.name,
      data: action.data,
      valid: action.valid,
      notes: action.notes,
    })),
  };
}

/** A token as admins see it: never the secret, only the first characters of its hash. */
export function tokenView({ secret, state, usedAt, revokedReason }: TokenState) {
  return {
    id: secret.hash.slice(0, 12),
    taskId: secret.taskId,
    state,
    createdAt: secret.createdAt,
    validUntil: secret.validUntil,
    ...(usedAt ? { usedAt } : {}),
    ...(revokedReason ? { revokedReason } : {}),
  };
}
