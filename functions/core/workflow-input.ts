import type { WorkflowInput } from '#ports/workflow';
import type { TaskType } from './task-type.ts';
import type { Task } from './task.ts';

/**
 * The execution input of a task, exactly as create and an admin retry send it (ids and the task
 * type's timeouts; a retry is a new execution from the start): whoever starts the execution later
 * (the outbox, the reconciler) starts the same one, so StartExecution stays idempotent.
 */
export const workflowInputOf = (task: Task, taskType: TaskType): WorkflowInput => ({
  taskId: task.id,
  approvalTimeoutSeconds: taskType.approvalTtlSeconds,
  tokenTimeoutSeconds: taskType.tokenWaitSeconds,
});
