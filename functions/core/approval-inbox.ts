import type { Page } from '#ports/task-store';
import { decide, actorOf } from './approval.ts';
import { approvalsAt, approverAt, openLevel, type Voter } from './approval-state.ts';
import type { Decision } from './approval-votes.ts';
import type { Context } from './context.ts';
import { ClientError } from './errors.ts';
import type { Identity } from './identity.ts';
import type { Task } from './task.ts';

export interface InboxQuery {
  readonly type?: string;
  /** Only levels due by then (ISO); levels without a deadline are left out. */
  readonly dueBefore?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/** One task that waits for the caller's vote. */
export interface InboxItem {
  readonly taskId: string;
  readonly type: string;
  readonly createdAt: string;
  readonly level: { readonly name: string; readonly number: number; readonly of: number };
  readonly quorum: number;
  readonly approvals: number;
  readonly openedAt?: string;
  readonly due?: string;
  /** When the caller holds the vote of someone who handed it over. */
  readonly onBehalfOf?: string;
}

/** The caller as the open levels know their approvers: their account and their address. */
export const voterOf = (identity: Identity): Voter => ({ sub: identity.sub, ...(identity.email ? { email: identity.email } : {}) });

const keysOf = (voter: Voter): string[] => [...(voter.email ? [voter.email.toLowerCase()] : []), ...(voter.sub ? [`sub:${voter.sub}`] : [])];

/**
 * What waits for the caller's vote: pending tasks whose open level has them as an approver who has
 * not voted, newest first, with the level, its quorum progress and due date. A page holds at most
 * `limit` (fewer when `dueBefore` leaves some out); its cursor goes on.
 */
export async function inbox(ctx: Context, identity: Identity, query: InboxQuery): Promise<Page<InboxItem>> {
  const voter = voterOf(identity);
  const page = await ctx.deps.tasks.list({ status: 'pending', awaiting: keysOf(voter), limit: query.limit, ...(query.type ? { type: query.type } : {}), ...(query.cursor ? { cursor: query.cursor } : {}) });
  const items = page.items.flatMap((task) => {
    const item = itemOf(task, voter);
    if (!item) return [];
    if (query.dueBefore !== undefined && (item.due === undefined || item.due > query.dueBefore)) return [];
    return [item];
  });
  return { items, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

function itemOf(task: Task, voter: Voter): InboxItem | undefined {
  const open = openLevel(task.approval);
  const approver = open ? approverAt(open.level, voter) : undefined;
  if (!open || !approver || open.level.votes[approver.key]) return undefined;
  const applying = (task.approval?.levels ?? []).filter((level) => level.state !== 'skipped');
  return {
    taskId: task.id,
    type: task.type,
    createdAt: task.createdAt,
    level: { name: open.level.name, number: applying.indexOf(open.level) + 1, of: applying.length },
    quorum: open.level.quorum,
    approvals: approvalsAt(open.level),
    ...(open.level.openedAt ? { openedAt: open.level.openedAt } : {}),
    ...(open.level.due ? { due: open.level.due } : {}),
    ...(approver.onBehalfOf ? { onBehalfOf: approver.onBehalfOf } : {}),
  };
}

export interface BulkDecision {
  readonly taskId: string;
  readonly decision: Decision;
  readonly reason?: string;
}

/** One item's outcome: the task as the vote left it, or the problem that stopped it (as the API would answer it alone). */
export type BulkResult =
  | { readonly taskId: string; readonly ok: true; readonly status: Task['status']; readonly level?: string }
  | { readonly taskId: string; readonly ok: false; readonly problem: { readonly status: number; readonly type: string; readonly title: string; readonly detail: string } };

/**
 * Casts the caller's vote on each task, one after another, each on its own: one that fails
 * (decided meanwhile, not theirs to vote on) is reported with its problem and the others go on.
 * An unexpected error is reported as a 500 for its item (and logged), never lost.
 */
export async function decideMany(ctx: Context, identity: Identity, decisions: readonly BulkDecision[]): Promise<BulkResult[]> {
  const voter = voterOf(identity);
  const results: BulkResult[] = [];
  for (const item of decisions) {
    try {
      const task = await decide(ctx, item.taskId, { voter, actor: actorOf(voter), decision: item.decision, via: 'inbox', ...(item.reason ? { reason: item.reason } : {}) });
      const open = openLevel(task.approval);
      results.push({ taskId: item.taskId, ok: true, status: task.status, ...(open ? { level: open.level.name } : {}) });
    } catch (error) {
      if (error instanceof ClientError) {
        results.push({ taskId: item.taskId, ok: false, problem: { status: error.status, type: error.type, title: error.title, detail: error.message } });
      } else {
        ctx.onInternalError(`A bulk decision on task ${item.taskId} failed`, error);
        results.push({ taskId: item.taskId, ok: false, problem: { status: 500, type: 'internal', title: 'Internal error', detail: 'This decision could not be recorded; try it again.' } });
      }
    }
  }
  return results;
}
