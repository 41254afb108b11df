import { awaitApproval as waitForDecision } from './approval.ts';
import { undoLateEffects } from './compensation.ts';
import type { Context } from './context.ts';
import { InvalidTransitionError } from './errors.ts';
import { isApprovedOrLater } from './explain.ts';
import { postApprove, preApprove, runPostApprove } from './stage-runs.ts';
import { submitWithoutToken } from './submit.ts';
import { awaitToken as waitForToken } from './token.ts';

/**
 * The state machine's two waits (stepfunctions/task-workflow.asl.json: AwaitApproval → AwaitToken →
 * Complete, no Choice states). Each `.waitForTaskToken` step does its stage's work first, then waits
 * for a person, or answers its own task token at once when nobody is needed, so the execution goes
 * on to the next state without routing. Each is driven by the task's status and skips what is done,
 * which is what lets an admin retry be a new execution from the start.
 */

/**
 * AwaitApproval: preApprove (validation, auto-decision, initial email), then the wait for a decision,
 * with the approvers' emails (operators are not notified: they hear of errors and stuck tasks, not of
 * requests that wait for an approver). A task decided without a human
 * (auto-approved, auto-rejected, a queued approval) or before this run (a retry) answers at once.
 */
export async function awaitApprovalStep(ctx: Context, taskId: string, sfnToken: string): Promise<void> {
  const task = await preApprove(ctx, taskId);
  if (task.status !== 'pending') {
    await ctx.deps.workflow.resume(sfnToken, { decision: isApprovedOrLater(task.status) ? 'approved' : 'rejected' });
    return;
  }
  await waitForDecision(ctx, taskId, sfnToken);
}

/**
 * AwaitToken: for an approved task, postApprove (unless it finished before: a retry), then the wait
 * for the token if an action asked for one; otherwise the submit stage, the completion, and its own
 * token answered. A task waiting for its token already waits again (a re-run of the state); a task
 * that completed or ended answers at once, and Complete does what is left (the completed email).
 */
export async function awaitTokenStep(ctx: Context, taskId: string, sfnToken: string): Promise<void> {
  const task = await ctx.committer.read(taskId);
  switch (task.status) {
    case 'approved': {
      let ready = task;
      if (task.postApprovedAt === undefined) {
        const run = await runPostApprove(ctx, task);
        try {
          if (run.done && run.actions.some((action) => action.needsToken)) {
            // postApprove's results, the move to awaiting_token and the wait are one write.
            await waitForToken(ctx, taskId, sfnToken, task, { actions: run.actions, postApprovedAt: ctx.now(), ...(run.projectId === undefined ? {} : { projectId: run.projectId }) });
            return;
          }
          ready = await postApprove(ctx, task, run);
        } catch (error) {
          // Cancelled while postApprove worked: what it did is undone too.
          if (error instanceof InvalidTransitionError) await undoLateEffects(ctx, taskId, run.actions);
          throw error;
        }
      }
      if (ready.actions.some((action) => action.needsToken)) {
        await waitForToken(ctx, taskId, sfnToken, ready);
        return;
      }
      await submitWithoutToken(ctx, ready);
      await ctx.deps.workflow.resume(sfnToken, { submitted: true });
      return;
    }
    case 'awaiting_token':
      await waitForToken(ctx, taskId, sfnToken, task);
      return;
    case 'completed':
      await ctx.deps.workflow.resume(sfnToken, { submitted: true });
      return;
    case 'pending':
      throw new InvalidTransitionError(`Task ${task.id} is pending; AwaitToken needs it decided.`, { extensions: { taskStatus: task.status } });
    default:
      // Rejected, cancelled, expired or failed: nothing is left to do.
      await ctx.deps.workflow.resume(sfnToken, { done: task.status });
  }
}
