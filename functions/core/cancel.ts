import { compensateNow, compensationDue } from './compensation.ts';
import type { Context } from './context.ts';
import { InvalidTransitionError } from './errors.ts';
import type { Actor } from './identity.ts';
import { tellRequester } from './requester-mail.ts';
import type { Task } from './task.ts';
import { moveTo, when, write } from './writes.ts';

const CANCELLABLE = ['pending', 'approved', 'awaiting_token', 'failed'];

export interface CancelOptions {
  /** @default true */
  readonly tellRequester?: boolean;
  /** A project admin cancels: only a task of this project (403 otherwise). @default - any task */
  readonly projectId?: string;
}

/**
 * Cancels an open or failed task: stops its execution, undoes what its actions did after approval
 * (compensation, asked for in the same write) and tells the requester. Its links stop working with
 * the status. A token submit that already claimed the task wins: the cancel is refused.
 */
export async function cancel(ctx: Context, taskId: string, by: Actor, reason?: string, ifMatch?: number, options: CancelOptions = {}): Promise<Task> {
  const at = ctx.now();
  const { task, result: before } = await ctx.committer.commit(
    taskId,
    (current) => {
      if (!CANCELLABLE.includes(current.status)) {
        throw new InvalidTransitionError(`Task ${current.id} is ${current.status} and can no longer be cancelled.`, { extensions: { taskStatus: current.status } });
      }
      if (current.tokenUse) {
        throw new InvalidTransitionError(`Task ${current.id}'s token was submitted at ${current.tokenUse.at}; it is completing and can no longer be cancelled.`, {
          extensions: { taskStatus: current.status },
        });
      }
      return {
        write: write(
          moveTo(current, { to: 'cancelled', by, event: 'cancelled', at, ...(reason ? { reason } : {}) }),
          when({ path: ['tokenUse'], exists: false }),
          compensationDue(ctx, current, at),
        ),
        result: current,
      };
    },
    { ...(ifMatch === undefined ? {} : { ifMatch }), ...(options.projectId === undefined ? {} : { projectId: options.projectId }) },
  );
  if (before.status !== 'failed' && before.executionArn) await ctx.deps.workflow.stop(before.executionArn, `Cancelled by ${by.id}`);
  const undone = await compensateNow(ctx, task);
  if (options.tellRequester !== false) await tellRequester(ctx, undone, 'cancelled', { reason: reason ?? '' });
  return undone;
}
