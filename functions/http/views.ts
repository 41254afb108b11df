import type { Task } from '#core/task';

/** A task as admins see it: everything but the Step Functions token. */
export function adminTaskView(task: Task) {
  const { wait, ...rest } = task;
  return { ...rest, ...(wait ? { waitingFor: wait.kind, waitingSince: wait.since } : {}) };
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
