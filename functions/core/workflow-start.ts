import type { WorkflowInput } from '#ports/workflow';
import type { Context } from './context.ts';
import { errorName } from './explain.ts';
import { failTask } from './failure.ts';
import { describeError } from './notifier.ts';
import type { Task } from './task.ts';

/**
 * Starts the task's execution (every execution starts at AwaitApproval). If Step Functions cannot be
 * reached (after the SDK's retries), the task is not left waiting for a workflow that does not
 * exist: it fails at AwaitApproval, the operators are told, and an admin retry starts it again.
 * Answers the task as it now is.
 */
export async function startWorkflow(ctx: Context, task: Task, input: WorkflowInput): Promise<Task> {
  try {
    await ctx.deps.workflow.start(input, task.attempt);
    return task;
  } catch (error) {
    return failTask(ctx, task.id, 'AwaitApproval', { Error: errorName(error), Cause: `The workflow could not be started: ${describeError(error)}` });
  }
}
