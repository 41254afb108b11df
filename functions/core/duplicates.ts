import { createHash } from 'node:crypto';
import type { Context } from './context.ts';
import { ConcurrentUpdateError, DuplicateTaskError } from './errors.ts';
import { OPEN_STATUSES } from './explain.ts';
import type { Identity } from './identity.ts';
import type { TaskType } from './task-type.ts';

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

