import type { Context } from './context.ts';
import { ActionFailedError, InvalidTaskError, InvalidTransitionError, ValidationError, WaitOverError } from './errors.ts';
import { describeInvalid, errorName, invalidActions } from './explain.ts';
import { failTask } from './failure.ts';
import { type Identity, SYSTEM } from './identity.ts';
import { isStaleClaim, whyNotLive } from './links.ts';
import { describeError } from './notifier.ts';
import { toFieldErrors } from './registry.ts';
import { claimStage, recordResend, sendingOnce, tellRequester } from './requester-mail.ts';
import { hashSecret } from './secrets.ts';
import { commitStageResults } from './stage-runs.ts';
import { runStage } from './stages.ts';
import type { Task } from './task.ts';
import { requireTokenSubmitter, viewToken } from './token.ts';
import { moveTo, set, when, write } from './writes.ts';

/**
 * Submits a token: validates the data (a field error keeps the token usable), then claims the task
 * in one write (the token's use: exactly one concurrent submit wins, and a cancel after it loses),
 * runs the submit stage and completes the task. The data (a password, say) never leaves this call:
 * it is not stored, not put in the workflow. If an action throws, the task fails (operators are
 * told the detail; an admin can retry, which sends a new token), and the requester gets a generic error.
 * `identity`: who submits (a bearer token, when sent): a type with `tokenRequiresAuth` takes the
 * token from its requester only, and refuses anyone else before anything is written.
 */
export async function submitToken(ctx: Context, secret: string, data: unknown, identity?: Identity): Promise<Task> {
  const view = await viewToken(ctx, secret);
  requireTokenSubmitter(view, identity);
  const parsed = view.schema.safeParse(data ?? {});
  if (!parsed.success) throw new ValidationError(toFieldErrors(parsed.error));
  const hash = hashSecret(secret);
  const record = await ctx.deps.secrets.get(hash);
  if (!record) throw new InvalidTransitionError('This link is not valid any more.');
  const at = ctx.now();
  const claimed = await ctx.committer.commit(
    view.task.id,
    (current) => {
      const now = Date.parse(at);
      const problem = whyNotLive(record, current, now);
      if (problem) throw problem;
      // A claim of this link whose submit died: taken over, on condition nobody took it meanwhile.
      const stale = isStaleClaim(record, current, now) ? current.tokenUse : undefined;
      return {
        write: write(
          set({ tokenUse: { hash, at } }),
          when({ path: ['status'], equals: 'awaiting_token' }),
          stale ? when({ path: ['tokenUse', 'at'], equals: stale.at }) : when({ path: ['tokenUse'], exists: false }),
          when({ path: ['wait', 'round'], equals: record.round }),
        ),
        result: current.wait,
      };
    },
    { current: view.task },
  );
  const wait = claimed.result;
  let completed: Task;
  try {
    completed = await runSubmitAndComplete(ctx, claimed.task, parsed.data as Record<string, unknown>);
  } catch (error) {
    await failTask(ctx, claimed.task.id, 'AwaitToken', { Error: errorName(error), Cause: describeError(error) });
    if (wait?.kind === 'token') await ctx.deps.workflow.fail(wait.sfnToken, 'ActionFailed', `Submit failed for task ${claimed.task.id}`);
    throw new ActionFailedError(`Submit failed for task ${claimed.task.id}`, { cause: error });
  }
  if (wait?.kind === 'token') {
    try {
      if (!(await ctx.deps.workflow.resume(wait.sfnToken, { submitted: true }))) throw new WaitOverError('The execution no longer waits for this token.');
    } catch (error) {
      // The task is completed; only the workflow's Complete step (the completed email) is left. Do it here.
      ctx.onInternalError(`Could not resume the workflow of completed task ${completed.id}; sending its completed email from the submit`, error);
      await complete(ctx, completed.id);
      if (completed.executionArn) {
        await ctx.deps.workflow.stop(completed.executionArn, 'Completed by its token submit').catch((e: unknown) => ctx.onInternalError('Could not stop an execution', e));
      }
    }
  }
  return completed;
}

/** The submit stage of an approved task that needs no token (the AwaitToken step runs it), then completion. */
export async function submitWithoutToken(ctx: Context, task: Task): Promise<Task> {
  if (task.status !== 'approved') throw new InvalidTransitionError(`Task ${task.id} is ${task.status}; submit needs it approved.`);
  return runSubmitAndComplete(ctx, task, {});
}

/**
 * After completion: the completed email, claimed before it is sent (a failed send gives the claim
 * back, so the step's retry sends it). A run that finds it claimed (the step run again after its
 * first run died, perhaps before sending) records the resend and sends it again: at least once,
 * and a second one explained.
 */
export async function complete(ctx: Context, taskId: string): Promise<void> {
  const task = await ctx.committer.read(taskId);
  if (task.status !== 'completed') return;
  const claimed = await claimStage(ctx, task.id, 'completed');
  if (!claimed) await recordResend(ctx, task.id, 'completed', task.rounds, false);
  await sendingOnce(ctx, task.id, 'completed', claimed, () => tellRequester(ctx, task, 'completed', {}, { rethrow: true, recorded: true }));
}

/** Runs the submit stage, then completes the task in one write with the stage's results. */
async function runSubmitAndComplete(ctx: Context, task: Task, tokenData: Record<string, unknown>): Promise<Task> {
  const run = await runStage(task, 'submit', ctx.deps.registry, ctx.deps.ports, ctx.now, tokenData);
  if (run.error !== undefined) {
    await commitStageResults(ctx, task, run.task.actions, task.status);
    throw run.error;
  }
  const invalid = invalidActions(run.task);
  if (invalid.length > 0) {
    await commitStageResults(ctx, task, run.task.actions, task.status);
    throw new InvalidTaskError(`Task ${task.id} became invalid during submit: ${describeInvalid(invalid)}.`);
  }
  const at = ctx.now();
  const { task: completed } = await ctx.committer.commit(
    task.id,
    (current) => {
      if (current.status !== task.status || current.attempt !== task.attempt) {
        throw new InvalidTransitionError(`Task ${task.id} is ${current.status} now; its submit was not completed.`, { extensions: { taskStatus: current.status } });
      }
      return {
        write: write(
          set({ actions: run.task.actions, completedAt: at, durationMs: Date.parse(at) - Date.parse(task.createdAt) }),
          moveTo(current, { to: 'completed', by: SYSTEM, event: 'completed', at }),
          when({ path: ['attempt'], equals: task.attempt }),
        ),
        result: undefined,
      };
    },
    { current: task },
  );
  return completed;
}
