import type { Context } from './context.ts';
import { InvalidTransitionError } from './errors.ts';
import { claimDuplicateKey, duplicateHash } from './duplicates.ts';
import { isApprovedOrLater } from './explain.ts';
import type { Actor } from './identity.ts';
import { validate } from './stage-runs.ts';
import type { Task, TaskStatus } from './task.ts';
import { startWorkflow } from './workflow-start.ts';
import { append, moveTo, remove, set, when, write } from './writes.ts';

/**
 * Replaces a pending task's data, recomputes its duplicate key and runs preApprove on the new data
 * (no initial email). The new data and its revision are one write; an AwaitApproval step whose
 * preApprove still runs on the old data then finds its results outdated and leaves them.
 */
export async function updateData(ctx: Context, taskId: string, data: unknown, by: Actor, ifMatch?: number): Promise<Task> {
  const task = await ctx.committer.read(taskId);
  if (task.status !== 'pending') {
    throw new InvalidTransitionError(`Task ${task.id} is ${task.status}; only pending tasks can be updated.`, { extensions: { taskStatus: task.status } });
  }
  const taskType = ctx.deps.registry.taskType(task.type);
  const actionData = ctx.deps.registry.parseInput(taskType, data);
  const hash = duplicateHash(taskType, actionData, task.createdBy ?? undefined);
  if (hash !== task.hash) await claimDuplicateKey(ctx, taskType, hash, task.id, task.id);
  const at = ctx.now();
  const { task: updated } = await ctx.committer.commit(
    taskId,
    (current) => {
      if (current.status !== 'pending') {
        throw new InvalidTransitionError(`Task ${current.id} is ${current.status}; only pending tasks can be updated.`, { extensions: { taskStatus: current.status } });
      }
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
          remove('validatedAt', 'queuedApproval'),
          when({ path: ['status'], equals: 'pending' }),
          when({ path: ['dataRevision'], equals: current.dataRevision }),
        ),
        result: undefined,
      };
    },
    { current: task, ...(ifMatch === undefined ? {} : { ifMatch }) },
  );
  const { task: validated, result: decided } = await validate(ctx, updated, taskType);
  const wait = validated.wait ?? updated.wait;
  if (decided !== 'pending' && wait?.kind === 'approval') {
    await ctx.deps.workflow.resume(wait.sfnToken, { decision: isApprovedOrLater(validated.status) ? 'approved' : 'rejected' });
  }
  return validated;
}

/** An admin's note on the task. Touches only the notes: it never conflicts with a running step. */
export async function addNote(ctx: Context, taskId: string, by: Actor, text: string, ifMatch?: number): Promise<Task> {
  const at = ctx.now();
  const { task } = await ctx.committer.commit(taskId, () => ({ write: write(append('adminNotes', { at, by: by.id, text })), result: undefined }), ifMatch === undefined ? {} : { ifMatch });
  return task;
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
      const status: TaskStatus = current.approvedAt === undefined ? 'pending' : 'approved';
      const attempt = current.attempt + 1;
      const failedIn = current.failure ? ` (it failed in ${current.failure.step})` : '';
      return {
        write: write(
          moveTo(current, { to: status, by, event: 'retried', at, reason: `Retried as attempt ${attempt}${failedIn}` }),
          set({ attempt, executionArn: ctx.deps.workflow.executionArn(current.id, attempt), sentEmails: current.sentEmails.filter((stage) => stage === 'initial') }),
          remove('failure', 'wait', 'tokenUse', 'expiresAt'),
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
