import type { Context } from './context.ts';
import { SYSTEM } from './identity.ts';
import { describeError } from './notifier.ts';
import { runStage } from './stages.ts';
import type { ActionRecord, Task, TaskStatus } from './task.ts';
import { append, remove, set, when, write, type Write } from './writes.ts';

/**
 * Compensation (docs/workflow.md "Compensation"): a task that was approved and ends without
 * completing (cancelled, its token expired), or whose data an admin replaces after it failed, has
 * its actions' `undo` hooks run, last action first. The write that decides it sets
 * `compensation: pending`; `compensate` runs the hooks and commits them as done. The request or step
 * that made the write runs it at once; the table stream's outbox runs it for a write whose maker
 * died first, and again after a hook failed.
 */

/** Whether the task may have effects to undo: it was approved and one of its actions declares `undo`. */
export function hasUndo(ctx: Context, task: Task): boolean {
  return task.approvedAt !== undefined && task.actions.some((record) => ctx.deps.registry.action(record.name).undo !== undefined);
}

/** The part of an ending write that asks for compensation (nothing when there is nothing to undo). */
export function compensationDue(ctx: Context, task: Task, at: string): Partial<Write> {
  if (!hasUndo(ctx, task) || task.compensation?.state === 'pending') return write();
  return set({ compensation: { state: 'pending', since: at, attempts: 0 } });
}

/**
 * Runs the undo hooks of a task whose compensation is pending and commits, in one write, what they
 * noted, the actions' stored data cleared (postApprove starts afresh if the task is retried),
 * `undone` in the history and the compensation done. A hook that throws: what ran before it is kept
 * (its notes), the compensation stays pending with the error and one more attempt, the operators are
 * told, and the error goes on for the caller that retries (the outbox). Answers the task as committed.
 */
export async function compensate(ctx: Context, taskId: string): Promise<Task> {
  const task = await ctx.committer.read(taskId);
  const due = task.compensation;
  if (due?.state !== 'pending') return task;
  const run = await runStage(task, 'undo', ctx.deps.registry, ctx.deps.ports, ctx.now);
  const at = ctx.now();
  const ok = run.error === undefined;
  const { task: committed, applied } = await ctx.committer.commit(
    taskId,
    (current) => {
      if (current.compensation?.state !== 'pending' || current.compensation.since !== due.since) return { result: undefined };
      const actions = current.actions.map((record, index) => {
        const ran = run.task.actions[index] ?? record;
        return ok ? { ...record, notes: ran.notes, stored: {}, needsToken: false } : { ...record, notes: ran.notes, stored: ran.stored };
      });
      // Pending, and the same request for it: a second run (the outbox's, beside the request's) that ends later changes nothing.
      const guard = write(when({ path: ['compensation', 'since'], equals: due.since }), when({ path: ['compensation', 'state'], equals: 'pending' }));
      if (!ok) {
        const lastError = describeError(run.error);
        return { write: write(set({ actions, compensation: { ...due, attempts: due.attempts + 1, lastError } }), guard), result: undefined };
      }
      const entry = { at, by: SYSTEM, event: 'undone', from: current.status, to: current.status, reason: 'The effects of its actions were undone.' };
      return {
        write: write(set({ actions, compensation: { state: 'done', since: due.since, attempts: due.attempts + 1, doneAt: at } }), remove('postApprovedAt'), append('history', entry), guard),
        result: undefined,
      };
    },
    { current: task },
  );
  if (!ok && applied) {
    await ctx.notifier.notify({
      task: committed,
      taskType: ctx.taskTypeOf(committed),
      kind: 'error',
      message: `Undoing the effects of task ${committed.id} (${committed.type}) failed; it is tried again.`,
      detail: describeError(run.error),
    });
  }
  if (!ok) throw run.error;
  return committed;
}

/**
 * Runs a pending compensation right after the write that asked for it, without failing the caller:
 * a hook that fails is recorded and told to the operators (by `compensate`), and the outbox runs it again.
 */
export async function compensateNow(ctx: Context, task: Task): Promise<Task> {
  if (task.compensation?.state !== 'pending') return task;
  try {
    return await compensate(ctx, task.id);
  } catch (error) {
    ctx.onInternalError(`Undoing task ${task.id} failed; the outbox tries again`, error);
    return ctx.committer.read(task.id);
  }
}

/** The ends without completion whose effects are undone. */
const UNDONE_ENDS: readonly TaskStatus[] = ['cancelled', 'expired'];

/**
 * A stage whose results came too late: postApprove did its work while a cancel (or the token's
 * expiry) ended the task, so its results were refused, and an earlier compensation may have run
 * before those effects existed. Keeps what the late run persisted (so `undo` knows of it) and asks
 * for compensation again, then runs it. Nothing happens for a task that did not end that way.
 */
export async function undoLateEffects(ctx: Context, taskId: string, late: readonly ActionRecord[]): Promise<Task> {
  const at = ctx.now();
  const { task, applied } = await ctx.committer.commit(taskId, (current) => {
    if (!UNDONE_ENDS.includes(current.status) || !hasUndo(ctx, current)) return { result: undefined };
    const actions = current.actions.map((record, index) => ({ ...record, stored: { ...record.stored, ...(late[index]?.stored ?? {}) } }));
    return {
      write: write(set({ actions, compensation: { state: 'pending', since: at, attempts: 0 } }), when({ path: ['status'], equals: current.status })),
      result: undefined,
    };
  });
  return applied ? compensateNow(ctx, task) : task;
}
