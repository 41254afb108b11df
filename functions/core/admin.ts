import type { Context } from './context.ts';
import { InvalidTransitionError } from './errors.ts';
import { claimDuplicateKey, duplicateHash } from './duplicates.ts';
import { invalidActions, isApprovedOrLater } from './explain.ts';
import type { Actor } from './identity.ts';
import { compensate, hasUndo } from './compensation.ts';
import { projectOf, validate } from './stage-runs.ts';
import { runStage } from './stages.ts';
import type { Task, TaskStatus } from './task.ts';
import { startWorkflow } from './workflow-start.ts';
import { append, moveTo, remove, set, when, write } from './writes.ts';

const UPDATABLE = ['pending', 'failed'];

/**
 * Replaces a pending or failed task's data, recomputes its duplicate key and runs preApprove on the
 * new data (no initial email). The new data and its revision are one write; an AwaitApproval step
 * whose preApprove still runs on the old data then finds its results outdated and leaves them. A
 * failed task that was approved has what its actions did undone first, on the old data, so that a
 * retry does the work afresh on the new data (the approval stands: only admins update data).
 */
export async function updateData(ctx: Context, taskId: string, data: unknown, by: Actor, ifMatch?: number): Promise<Task> {
  let task = await ctx.committer.read(taskId);
  let guard = ifMatch;
  refuseUpdate(task);
  const taskType = ctx.deps.registry.taskType(task.type);
  const actionData = ctx.deps.registry.parseInput(taskType, data);
  const hash = duplicateHash(taskType, actionData, task.createdBy ?? undefined);
  if (task.status === 'failed' && task.compensation?.state !== 'done') {
    // The If-Match guards this first write; the data write then follows from it.
    task = await undoBeforeUpdate(ctx, task, ifMatch);
    guard = undefined;
  }
  if (hash !== task.hash) await claimDuplicateKey(ctx, taskType, hash, task.id, task.id);
  const at = ctx.now();
  const { task: updated } = await ctx.committer.commit(
    taskId,
    (current) => {
      refuseUpdate(current);
      const actions = current.actions.map((action, index) => ({
        ...action,
        data: actionData[index] ?? {},
        valid: null,
        autoApprove: null,
        notes: [...action.notes, { at, text: `Data updated by ${by.id}.` }],
      }));
      return {
        write: write(
          set({ actions, hash, dataRevision: current.dataRevision + 1 }),
          remove('validatedAt', 'queuedVote'),
          when({ path: ['status'], equals: current.status }),
          when({ path: ['dataRevision'], equals: current.dataRevision }),
          current.status === 'failed' ? when({ path: ['compensation', 'state'], in: ['done'] }) : {},
        ),
        result: undefined,
      };
    },
    { current: task, ...(guard === undefined ? {} : { ifMatch: guard }) },
  );
  if (updated.status === 'failed') return revalidateFailed(ctx, updated);
  const { task: validated, result: decided } = await validate(ctx, updated, taskType);
  const wait = validated.wait ?? updated.wait;
  if (decided !== 'pending' && wait?.kind === 'approval') {
    await ctx.deps.workflow.resume(wait.sfnToken, { decision: isApprovedOrLater(validated.status) ? 'approved' : 'rejected' });
  }
  return validated;
}

function refuseUpdate(task: Task): void {
  if (!UPDATABLE.includes(task.status)) {
    throw new InvalidTransitionError(`Task ${task.id} is ${task.status}; only pending or failed tasks can be updated.`, { extensions: { taskStatus: task.status } });
  }
}

/**
 * A failed task's effects, undone on its old data before the data is replaced. A task with nothing
 * to undo gets a compensation marked done in the same way, so the data write can require it (a
 * retry removes it: the next failure starts afresh). A failing undo fails the update: nothing is replaced, and the
 * outbox tries the undo again.
 */
async function undoBeforeUpdate(ctx: Context, task: Task, ifMatch?: number): Promise<Task> {
  const at = ctx.now();
  const undo = hasUndo(ctx, task) && task.compensation === undefined;
  const { task: marked } = await ctx.committer.commit(
    task.id,
    (current) => {
      refuseUpdate(current);
      if (current.compensation !== undefined) return { result: undefined };
      const compensation = undo ? { state: 'pending', since: at, attempts: 0 } : { state: 'done', since: at, attempts: 0, doneAt: at };
      return { write: write(set({ compensation }), when({ path: ['status'], equals: 'failed' }), when({ path: ['compensation'], exists: false })), result: undefined };
    },
    { current: task, ...(ifMatch === undefined ? {} : { ifMatch }) },
  );
  return marked.compensation?.state === 'pending' ? compensate(ctx, marked.id) : marked;
}

/** preApprove on a failed task's new data: its results kept (no decision), so a retry knows whether the data is valid now. */
async function revalidateFailed(ctx: Context, task: Task): Promise<Task> {
  const run = await runStage(task, 'preApprove', ctx.deps.registry, ctx.deps.ports, ctx.now);
  const at = ctx.now();
  const { task: validated } = await ctx.committer.commit(
    task.id,
    (current) =>
      current.status !== 'failed' || current.dataRevision !== task.dataRevision
        ? { result: undefined }
        : {
            write: write(
              set({ actions: run.task.actions }),
              projectOf(run, current),
              run.error === undefined ? set({ validatedAt: at }) : {},
              when({ path: ['status'], equals: 'failed' }),
              when({ path: ['dataRevision'], equals: task.dataRevision }),
            ),
            result: undefined,
          },
    { current: task },
  );
  if (run.error !== undefined) throw run.error;
  return validated;
}

/** An admin's note on the task. Touches only the notes: it never conflicts with a running step. */
export async function addNote(ctx: Context, taskId: string, by: Actor, text: string, ifMatch?: number): Promise<Task> {
  const at = ctx.now();
  const { task } = await ctx.committer.commit(taskId, () => ({ write: write(append('adminNotes', { at, by: by.id, text })), result: undefined }), ifMatch === undefined ? {} : { ifMatch });
  return task;
}

/**
 * A failure a retry of the same data cannot get past (`failure.retryable: false`) is retried only
 * once the data was updated since, and only while every action is valid on it.
 */
function refuseDeterministicRetry(task: Task): void {
  const failure = task.failure;
  if (!failure || failure.retryable) return;
  if (failure.dataRevision === task.dataRevision) {
    throw new InvalidTransitionError(`Task ${task.id} failed in ${failure.step} on its data, so a retry would fail again (${failure.cause || failure.error}). Update its data or cancel it.`, {
      extensions: { taskStatus: task.status, retryable: false },
    });
  }
  const invalid = invalidActions(task);
  if (invalid.length > 0) {
    const why = invalid.map((action) => `${action.name}: ${action.notes.at(-1)?.text ?? 'no reason recorded'}`).join('; ');
    throw new InvalidTransitionError(`Task ${task.id}'s updated data is invalid too (${why}) Update its data or cancel it.`, {
      extensions: { taskStatus: task.status, retryable: false },
    });
  }
}

/**
 * Retries a failed task in a new execution, from the start: its steps skip what is done (preApprove
 * validated, an approval given, postApprove finished), so the work goes on where it failed. The task
 * goes back to `approved` if it was approved, else to `pending`. Actions' hooks are idempotent.
 */
export async function retry(ctx: Context, taskId: string, by: Actor, ifMatch?: number): Promise<Task> {
  const at = ctx.now();
  const { task } = await ctx.committer.commit(
    taskId,
    (current) => {
      if (current.status !== 'failed') {
        throw new InvalidTransitionError(`Task ${current.id} is ${current.status}; only a failed task can be retried.`, { extensions: { taskStatus: current.status } });
      }
      refuseDeterministicRetry(current);
      const status: TaskStatus = current.approvedAt === undefined ? 'pending' : 'approved';
      const attempt = current.attempt + 1;
      const failedIn = current.failure ? ` (it failed in ${current.failure.step})` : '';
      return {
        write: write(
          moveTo(current, { to: status, by, event: 'retried', at, reason: `Retried as attempt ${attempt}${failedIn}` }),
          set({ attempt, executionArn: ctx.deps.workflow.executionArn(current.id, attempt), sentEmails: current.sentEmails.filter((stage) => stage === 'initial') }),
          remove('failure', 'wait', 'tokenUse', 'expiresAt', 'compensation'),
          when({ path: ['attempt'], equals: current.attempt }),
        ),
        result: undefined,
      };
    },
    ifMatch === undefined ? {} : { ifMatch },
  );
  const taskType = ctx.deps.registry.taskType(task.type);
  return startWorkflow(ctx, task, { taskId: task.id, approvalTimeoutSeconds: taskType.approvalTtlSeconds, tokenTimeoutSeconds: taskType.tokenWaitSeconds });
}
