import { compensateNow, compensationDue } from './compensation.ts';
import type { Context } from './context.ts';
import { SYSTEM } from './identity.ts';
import type { StateName } from './state-names.ts';
import { tellRequester } from './requester-mail.ts';
import { TERMINAL_STATUSES, type Task, type TaskStatus } from './task.ts';
import { moveTo, set, write } from './writes.ts';

/** What the state machine's failure handler receives for the failed state. */
export interface StepError {
  readonly Error: string;
  readonly Cause?: string;
}

/**
 * Errors a retry of the same data cannot get past: an action found the data invalid after approval
 * (its project name was taken meanwhile). The task needs its data updated, or cancelling.
 */
export const DETERMINISTIC_ERRORS: readonly string[] = ['InvalidTaskError'];

/**
 * Marks the task failed with the error (unless it already ended) and tells the operators what they
 * can do: retry it, or (a deterministic failure) update its data or cancel it. `state`: where it
 * failed (`failure.step`, for operators), a state of the definition its execution runs.
 */
export async function failTask(ctx: Context, taskId: string, state: StateName | (string & {}), error: StepError): Promise<Task> {
  const at = ctx.now();
  const retryable = !DETERMINISTIC_ERRORS.includes(error.Error);
  const { task, applied } = await ctx.committer.commit(taskId, (current) =>
    TERMINAL_STATUSES.includes(current.status)
      ? { result: undefined }
      : {
          write: write(
            moveTo(current, { to: 'failed', by: SYSTEM, event: 'failed', at, reason: `${error.Error} in ${state}` }),
            set({ failure: { step: state, error: error.Error, cause: error.Cause ?? '', retryable, dataRevision: current.dataRevision } }),
          ),
          result: undefined,
        },
  );
  if (!applied) return task;
  const next = retryable
    ? `An admin can retry it: POST /v1/tasks/${task.id}/retry.`
    : `Retrying the same data would fail again: update its data (PUT /v1/tasks/${task.id}) and retry it, or cancel it.`;
  await ctx.notifier.notify({
    task,
    taskType: ctx.taskTypeOf(task),
    kind: 'error',
    message: `Task ${task.id} (${task.type}) failed in ${state}. ${next}`,
    detail: `${error.Error}: ${error.Cause ?? ''}`,
  });
  return task;
}

/**
 * The state machine's catch-all. A timed-out approval is rejected or cancelled (the task type
 * says which), a timed-out token expires the task, a failed Complete (its email) is told to the
 * operators, anything else fails the task with the error recorded and the operators notified. A
 * state name this definition does not have (an execution started under an earlier one, still
 * running after a deploy) fails the task too, so an admin retry runs it on the current one.
 */
export async function fail(ctx: Context, taskId: string, state: StateName | (string & {}), error: StepError, executionArn?: string): Promise<void> {
  const task = await ctx.deps.tasks.get(taskId);
  if (!task) return;
  // An execution the task has moved on from (an admin retry started a newer one) speaks for nobody.
  if (executionArn && task.executionArn && executionArn !== task.executionArn) return;
  const taskType = ctx.taskTypeOf(task);
  if (state === 'Complete') {
    await ctx.notifier.notify({ task, taskType, kind: 'error', message: `The completed email of task ${task.id} could not be sent.`, detail: `${error.Error}: ${error.Cause ?? ''}` });
    return;
  }
  if (TERMINAL_STATUSES.includes(task.status)) return;
  const at = ctx.now();
  if (error.Error === 'States.Timeout' && state === 'AwaitApproval' && task.status === 'pending') {
    const hours = Math.round((taskType?.approvalTtlSeconds ?? 0) / 360) / 10;
    const to: TaskStatus = taskType?.onApprovalExpiry === 'cancel' ? 'cancelled' : 'rejected';
    const reason = `No decision within ${hours} hours.`;
    const lapsed = await ctx.committer.commit(taskId, (current) =>
      current.status === 'pending' ? { write: write(moveTo(current, { to, by: SYSTEM, event: 'approval-expired', at, reason })), result: undefined } : { result: undefined },
      { current: task },
    );
    if (lapsed.applied) await tellRequester(ctx, lapsed.task, to === 'cancelled' ? 'cancelled' : 'rejected', { reason });
    return;
  }
  if (error.Error === 'States.Timeout' && state === 'AwaitToken' && task.status === 'awaiting_token') {
    const expired = await ctx.committer.commit(
      taskId,
      (current) =>
        current.status === 'awaiting_token' && current.tokenUse === undefined
          ? { write: write(moveTo(current, { to: 'expired', by: SYSTEM, event: 'expired', at, reason: 'The token was not used in time.' }), compensationDue(ctx, current, at)), result: undefined }
          : { result: undefined },
      { current: task },
    );
    if (expired.applied) await compensateNow(ctx, expired.task);
    return;
  }
  await failTask(ctx, taskId, state, error);
}
