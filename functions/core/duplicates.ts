import { createHash } from 'node:crypto';
import { cancel } from './cancel.ts';
import type { Context } from './context.ts';
import { ConcurrentUpdateError, DuplicateTaskError, InvalidTransitionError } from './errors.ts';
import { OPEN_STATUSES } from './explain.ts';
import { type Identity, SYSTEM } from './identity.ts';
import type { TaskType } from './task-type.ts';
import type { Task } from './task.ts';
import { moveTo, write } from './writes.ts';

/**
 * Points the task type's duplicate key at `taskId`. Policy `reject`: an open holder → 409 naming it.
 * `cancel-older`: returns the open holder, for the caller to cancel. `allow`: nothing.
 */
export async function claimDuplicateKey(ctx: Context, taskType: TaskType, hash: string, taskId: string, self?: string): Promise<string[]> {
  if (taskType.duplicatePolicy === 'allow') return [];
  const key = `${taskType.name}#${hash}`;
  const { duplicates, tasks } = ctx.deps;
  for (let attempt = 0; attempt < 10; attempt++) {
    const holder = await duplicates.holder(key);
    const holderTask = holder && holder !== self ? await tasks.get(holder) : undefined;
    // The holder counts only while it is open and still has this data (an update moves its key).
    const open = holderTask !== undefined && OPEN_STATUSES.includes(holderTask.status) && holderTask.hash === hash;
    if (open && taskType.duplicatePolicy === 'reject') {
      throw new DuplicateTaskError(`An identical ${taskType.name} request is already open: task ${holder}.`, {
        extensions: { existingTaskId: holder },
      });
    }
    if (await duplicates.claim(key, taskId, holder)) return open && holder ? [holder] : [];
  }
  throw new ConcurrentUpdateError('Too many identical requests at once; try again.');
}

/**
 * Duplicate handling for a `uniform` type, which the AwaitApproval step runs before preApprove:
 * never the request, whose work and timing must not depend on whether the account exists. An
 * identical earlier request drops this one, without an email, while it is open (policy `reject`),
 * or while it is open or completed and younger than `resendWindowSeconds` (the link it emailed
 * still works): at most one email per address per window. Otherwise this one takes the key and
 * the older open one is cancelled without an email of its own (the new one's email is the news).
 * Answers the task as it now is: still pending, or dropped (cancelled).
 */
export async function settleUniformDuplicate(ctx: Context, task: Task, taskType: TaskType): Promise<Task> {
  if (taskType.response !== 'uniform' || taskType.duplicatePolicy === 'allow' || !task.hash) return task;
  const holder = await ctx.deps.duplicates.holder(`${taskType.name}#${task.hash}`);
  // The key is this task's already: settled by an earlier run of the step.
  if (holder === task.id) return task;
  const older = holder ? await ctx.deps.tasks.get(holder) : undefined;
  if (older && older.hash === task.hash && supersedes(older, task, taskType)) return drop(ctx, task, older);
  let replaced: string[];
  try {
    replaced = await claimDuplicateKey(ctx, taskType, task.hash, task.id, task.id);
  } catch (error) {
    if (!(error instanceof DuplicateTaskError)) throw error;
    const open = await ctx.deps.tasks.get(String(error.extensions.existingTaskId));
    return open ? drop(ctx, task, open) : task;
  }
  for (const id of replaced) {
    await cancel(ctx, id, SYSTEM, `Replaced by a newer identical request, task ${task.id}.`, undefined, { tellRequester: false }).catch((error: unknown) => {
      if (!(error instanceof InvalidTransitionError)) throw error;
    });
  }
  return task;
}

/** Whether the earlier identical request stands instead of this one (see settleUniformDuplicate). */
function supersedes(older: Task, task: Task, taskType: TaskType): boolean {
  const open = OPEN_STATUSES.includes(older.status);
  if (taskType.duplicatePolicy === 'reject') return open;
  const window = taskType.resendWindowSeconds;
  if (window === undefined || !(open || older.status === 'completed')) return false;
  return Date.parse(task.createdAt) - Date.parse(older.createdAt) < window * 1000;
}

async function drop(ctx: Context, task: Task, older: Task): Promise<Task> {
  const at = ctx.now();
  const reason = `An identical request, task ${older.id}, was made at ${older.createdAt}; its email stands and no other is sent.`;
  const { task: dropped } = await ctx.committer.commit(
    task.id,
    (current) => (current.status === 'pending' ? { write: write(moveTo(current, { to: 'cancelled', by: SYSTEM, event: 'dropped-as-duplicate', at, reason })), result: undefined } : { result: undefined }),
    { current: task },
  );
  return dropped;
}

/** JSON with object keys sorted, so equal data hashes equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}

/**
 * The duplicate key: type and each action's name and normalised (parsed) data; for types that need
 * a caller, also who asked (one project's quota request must not cancel another's, nor reveal it).
 */
export function duplicateHash(taskType: TaskType, data: readonly Record<string, unknown>[], requester: Identity | undefined): string {
  const scope = taskType.access === 'public' ? null : (requester?.sub ?? null);
  return createHash('sha256')
    .update(canonicalJson([taskType.name, scope, taskType.actions.map((name, index) => [name, data[index] ?? {}])]))
    .digest('hex');
}

