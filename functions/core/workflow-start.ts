import type { WorkflowInput } from '#ports/workflow';
import type { Context } from './context.ts';
import type { Task } from './task.ts';

/**
 * Starts the task's execution right after the write that asks for it (every execution starts at
 * AwaitApproval), for speed. That write is what makes the start certain: if Step Functions cannot be
 * reached now, the table stream's outbox starts it (the same name and input: one execution), and the
 * reconciler after an outage longer than the outbox's retries. So a failed start here is logged, not
 * the task's failure. Answers the task as it is.
 */
export async function startWorkflow(ctx: Context, task: Task, input: WorkflowInput): Promise<Task> {
  try {
    await ctx.deps.workflow.start(input, task.attempt);
  } catch (error) {
    ctx.onInternalError(`Task ${task.id}: its execution could not be started now; the outbox starts it`, error);
  }
  return task;
}
