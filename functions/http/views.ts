import type { TokenState } from '#core/queries';
import type { Task } from '#core/task';

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
 * A task as its requester sees it: what they asked for and where it stands. No notes (they may
 * hold operators' remarks), no failure detail, no approver identities.
 */
export function requesterTaskView(task: Task) {
  return {
    id: task.id,
    type: task.type,
    status: task.status,
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
