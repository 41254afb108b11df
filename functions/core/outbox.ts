import type { Context } from './context.ts';
import type { Task, TaskStatus } from './task.ts';
import { workflowInputOf } from './workflow-input.ts';

/** A task in one of these is driven by an execution; any other status needs none. */
export const OPEN_STATUSES: readonly TaskStatus[] = ['pending', 'approved', 'awaiting_token'];

export const isOpen = (task: Task): boolean => OPEN_STATUSES.includes(task.status);

/**
 * Whether the task's execution is one of this workflow's: a task another state machine drives (a
 * table shared with another stack, as the fault tests share the local one) is not ours to start.
 */
export const isDrivenBy = (ctx: Context, task: Task): boolean => task.executionArn === undefined || task.executionArn === ctx.deps.workflow.executionArn(task.id, task.attempt);

/** What the outbox did with one committed write: started the execution (or found it started), or nothing to start. */
export type OutboxOutcome = 'started' | 'skipped';

/**
 * The outbox: a committed write that calls for an execution (a new task, or a retry's attempt n + 1)
 * gets it, whether or not the request that made the write lived to start it. Reads the task as it
 * is now: a task that has moved on (ended, failed, retried again) needs no start from this write.
 * The start has the request's name and input, so one the request made already is found, not repeated.
 */
export async function startFromOutbox(ctx: Context, taskId: string, attempt: number): Promise<OutboxOutcome> {
  const task = await ctx.deps.tasks.get(taskId);
  if (!task || task.attempt !== attempt || !isOpen(task) || !isDrivenBy(ctx, task)) return 'skipped';
  const taskType = ctx.taskTypeOf(task);
  if (!taskType) {
    ctx.onInternalError(`Task ${task.id} has the type ${task.type}, which is no longer declared: no execution started`, undefined);
    return 'skipped';
  }
  const { workflow } = ctx.deps;
  try {
    await workflow.start(workflowInputOf(task, taskType), task.attempt);
    return 'started';
  } catch (error) {
    // An execution of this name that exists with another input (the task type's timeouts changed
    // since it started) is still this attempt's execution: nothing to start, and no retry helps.
    if ((await workflow.describe(task.executionArn ?? workflow.executionArn(task.id, task.attempt))) === 'MISSING') throw error;
    ctx.onInternalError(`Task ${task.id}: its execution exists already, with another input; none started`, error);
    return 'skipped';
  }
}

/**
 * A token submit completed the task, then died before telling the execution (which waits in
 * AwaitToken for it, and would send the completed email from Complete): the outbox tells it, with
 * the task token the wait had (the completing write removed the wait; the stream's old image has
 * it). The submit usually did first; the execution then no longer waits for that token (`skipped`).
 */
export async function resumeCompleted(ctx: Context, taskId: string, sfnToken: string): Promise<'resumed' | 'skipped'> {
  const task = await ctx.deps.tasks.get(taskId);
  if (task?.status !== 'completed' || !isDrivenBy(ctx, task)) return 'skipped';
  return (await ctx.deps.workflow.resume(sfnToken, { submitted: true })) ? 'resumed' : 'skipped';
}
