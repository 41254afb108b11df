import type { Page, TaskQuery, TaskStatus, TaskStore } from '#ports/task-store';
import type { SecretRecord } from '#ports/secret-store';
import { voterOf } from './approval-inbox.ts';
import { isApproverOf } from './approval-state.ts';
import type { Context } from './context.ts';
import { ClientError, NotFoundError, TaskArchivedError, UnauthorizedError } from './errors.ts';
import { summary } from './explain.ts';
import { type Identity, isAdmin } from './identity.ts';
import { whyNotLive } from './links.ts';
import { covers, standingOf } from './scopes.ts';
import type { Task } from './task.ts';

export const getTask = (ctx: Context, id: string): Promise<Task> => ctx.committer.read(id);

/**
 * Admins read any task; a requester reads their own, a project admin those of their project; anyone
 * else gets 404 (existence is not revealed).
 */
export async function getTaskFor(ctx: Context, id: string, identity: Identity | undefined): Promise<{ task: Task; asAdmin: boolean; asApprover?: true }> {
  if (!identity) throw new UnauthorizedError('This needs a bearer token.');
  const task = await ctx.deps.tasks.get(id);
  if (task && isAdmin(identity)) return { task, asAdmin: true };
  if (task && task.createdBy?.sub === identity.sub) return { task, asAdmin: false };
  // Someone its approval asked (at any level, voted or not) reads what they decide on.
  if (task && isApproverOf(task, voterOf(identity))) return { task, asAdmin: false, asApprover: true };
  if (task?.projectId !== undefined && identity.roles.includes('project_admin')) {
    const standing = await standingOf(ctx, identity);
    if (!standing.admin && covers(standing, task)) return { task, asAdmin: false };
  }
  const archived = task ? undefined : await ctx.deps.archive?.findTask(id);
  if (archived && (isAdmin(identity) || archived.requester === identity.sub)) {
    throw new TaskArchivedError(`Task ${id} ended and was archived at ${archived.archivedAt}; it is in ${archived.location}.`, {
      extensions: { taskId: id, archivedAt: archived.archivedAt, location: archived.location },
    });
  }
  throw new NotFoundError(`There is no task ${id}.`);
}

export const listTasks = (ctx: Context, query: TaskQuery): Promise<Page<Task>> => ctx.deps.tasks.list(query);
export { listTasksFor } from './scopes.ts';

/**
 * How old the counts of `GET /v1/status` may be, in milliseconds. Counting is a COUNT query per
 * status, and a COUNT reads (and is billed for) every entry of its byStatus partition: the
 * terminal statuses hold every task until TTL removes it, so the cost grows with the day's volume.
 * Each function instance keeps the counts it last read for this long (and concurrent calls share
 * one read), so a dashboard polling every few seconds costs one set of queries per instance per
 * period. The counts can lag the tasks by up to this much, and two instances can answer different
 * counts within it; everything else `status` answers is read on every call.
 */
export const STATUS_COUNTS_MAX_AGE_MS = 30_000;

/** The last counts read from each store (one store per function instance), and when. */
const statusCounts = new WeakMap<TaskStore, { readonly at: number; readonly counts: Promise<Record<TaskStatus, number>> }>();

/** The counts per status, read again once they are older than STATUS_COUNTS_MAX_AGE_MS; a failed read is not kept. */
export function countsByStatus(ctx: Context): Promise<Record<TaskStatus, number>> {
  const { tasks } = ctx.deps;
  const now = ctx.deps.ports.clock.now().getTime();
  const cached = statusCounts.get(tasks);
  if (cached && now >= cached.at && now - cached.at < STATUS_COUNTS_MAX_AGE_MS) return cached.counts.then((counts) => ({ ...counts }));
  const entry = { at: now, counts: tasks.countByStatus() };
  statusCounts.set(tasks, entry);
  entry.counts.catch(() => {
    if (statusCounts.get(tasks) === entry) statusCounts.delete(tasks);
  });
  return entry.counts.then((counts) => ({ ...counts }));
}

/**
 * Counts per status (up to STATUS_COUNTS_MAX_AGE_MS old), the newest task, the latest completion,
 * the unacknowledged errors, and what the last reconcile run found stranded (`stranded`: open tasks
 * it checked, started and failed; null before its first run).
 */
export async function status(ctx: Context) {
  const { notifications, reconcileReports, tasks } = ctx.deps;
  const [counts, newest, completed, errors, stranded] = await Promise.all([
    countsByStatus(ctx),
    tasks.list({ limit: 1 }),
    tasks.list({ status: 'completed', limit: 25 }),
    notifications.unacknowledgedErrors(10),
    reconcileReports?.latest(),
  ]);
  const lastCompleted = [...completed.items].sort((a, b) => (b.completedAt ?? '').localeCompare(a.completedAt ?? ''))[0];
  return {
    counts,
    lastCreated: newest.items[0] ? summary(newest.items[0]) : null,
    lastCompleted: lastCompleted ? { ...summary(lastCompleted), completedAt: lastCompleted.completedAt } : null,
    unacknowledgedErrors: errors.items,
    unacknowledgedErrorCount: errors.count,
    stranded: stranded ?? null,
  };
}

/** A token as admins see it: its state follows from its task (used, replaced, closed), never the secret. */
export interface TokenState {
  readonly secret: SecretRecord;
  readonly state: 'live' | 'used' | 'expired' | 'revoked';
  readonly revokedReason?: string;
  readonly usedAt?: string;
}

/** Tokens newest first, each with the state its task gives it. */
export async function listTokens(ctx: Context, limit: number, cursor?: string): Promise<{ items: TokenState[]; cursor?: string }> {
  const page = await ctx.deps.secrets.list('token', limit, cursor);
  const tasks = new Map((await ctx.deps.tasks.getMany([...new Set(page.items.map((secret) => secret.taskId))])).map((task) => [task.id, task]));
  const now = ctx.deps.ports.clock.now().getTime();
  const items = page.items.map((secret): TokenState => {
    const task = tasks.get(secret.taskId);
    if (task?.tokenUse?.hash === secret.hash) return { secret, state: 'used', usedAt: task.tokenUse.at };
    const problem = task ? whyNotLive(secret, task, now) : undefined;
    if (!task || problem) return { secret, state: 'revoked', revokedReason: reasonOf(problem) };
    return { secret, state: Date.parse(secret.validUntil) <= now ? 'expired' : 'live' };
  });
  return { items, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

const reasonOf = (problem: Error | undefined): string => {
  const reason = problem instanceof ClientError ? problem.extensions.reason : undefined;
  return typeof reason === 'string' ? reason : (problem?.message ?? 'Its task is gone.');
};

export const sweepExpiredTokens = (ctx: Context): Promise<number> => ctx.deps.secrets.deleteExpired('token', ctx.now());
