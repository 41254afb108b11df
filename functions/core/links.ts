import type { SecretRecord } from '#ports/secret-store';
import { delegate } from './approval-delegation.ts';
import { openLevel } from './approval-state.ts';
import { actorOf, decide, type Decision } from './approval.ts';
import type { Context } from './context.ts';
import { AlreadyVotedError, ConcurrentUpdateError, NotFoundError, SecretExpiredError } from './errors.ts';
import { alreadyDecided, lastDecision } from './explain.ts';
import { hashSecret } from './secrets.ts';
import type { Task } from './task.ts';

const NOT_VALID = 'This link is not valid. Check that it was copied whole, or ask for a new one.';

/**
 * How long a token submit holds its claim on the task (`tokenUse`) before completing it: longer than
 * the HTTP function may run (its 29 s timeout), so past it the submit that claimed is dead (a crash,
 * a `kill -9`) and the same link may submit again, instead of the task waiting for its token forever.
 */
export const TOKEN_CLAIM_LEASE_SECONDS = 30;

/** A claim by this very link that its submit did not live to complete (the task still waits for its token). */
export const isStaleClaim = (record: SecretRecord, task: Task, now: number): boolean =>
  task.status === 'awaiting_token' && task.tokenUse?.hash === record.hash && now - Date.parse(task.tokenUse.at) >= TOKEN_CLAIM_LEASE_SECONDS * 1000;

/**
 * A secret that still works, with its task: known, of this kind, not expired, and its task still
 * waiting in the secret's round (a decision, a cancel, a newer link end it). Otherwise an error
 * that says what happened and what to do.
 */
export async function liveSecret(ctx: Context, secret: string, kind: SecretRecord['kind']): Promise<{ record: SecretRecord; task: Task }> {
  const record = await ctx.deps.secrets.get(hashSecret(secret));
  if (!record || record.kind !== kind) throw new NotFoundError(NOT_VALID);
  const task = await ctx.deps.tasks.get(record.taskId);
  if (!task) throw new NotFoundError('This link is not valid. Ask for a new one.');
  const problem = whyNotLive(record, task, ctx.deps.ports.clock.now().getTime());
  if (problem) throw problem;
  if (Date.parse(record.validUntil) <= ctx.deps.ports.clock.now().getTime()) {
    throw new SecretExpiredError(`This link expired at ${record.validUntil}. Ask for a new one.`, {
      extensions: { expiredAt: record.validUntil, taskId: record.taskId },
    });
  }
  return { record, task };
}

/**
 * Why a secret no longer works for its task as it is now (at `now`, epoch ms), or undefined if it
 * still does. A token whose own submit claimed the task and is still completing it answers 409 with
 * Retry-After; one whose submit died (its claim older than TOKEN_CLAIM_LEASE_SECONDS) works again.
 */
export function whyNotLive(record: SecretRecord, task: Task, now: number = Date.now()): Error | undefined {
  const extensions = { taskId: task.id, taskStatus: task.status };
  if (record.kind === 'token' && isStaleClaim(record, task, now)) return task.wait?.round === record.round ? undefined : noLongerWorks('A newer link was sent.', extensions);
  const waiting = record.kind === 'approval' ? task.status === 'pending' : task.status === 'awaiting_token' && task.tokenUse === undefined;
  if (record.kind === 'token' && task.tokenUse?.hash === record.hash) {
    if (task.status === 'awaiting_token') {
      return new ConcurrentUpdateError('This link was just submitted and its submit is still being handled; retry in a moment.', { extensions, retryAfterSeconds: 2 });
    }
    return new NotFoundError(`This link was already used at ${task.tokenUse.at}; the task is ${task.status}.`, { extensions });
  }
  if (record.kind === 'approval' && !waiting) {
    const decided = lastDecision(task);
    if (decided) return alreadyDecided(task, decided);
  }
  if (!waiting) return noLongerWorks(closedReason(task), extensions);
  if (task.wait?.kind === record.kind && task.wait.round !== record.round) {
    return noLongerWorks(`A newer ${record.kind === 'approval' ? 'approval request' : 'link'} was sent.`, extensions);
  }
  return record.kind === 'approval' ? whyNotVoting(record, task) : undefined;
}

/** Why an approval link of a live round no longer casts its approver's vote: its level is over, they voted, or they handed it over. */
function whyNotVoting(record: SecretRecord, task: Task): Error | undefined {
  if (record.level === undefined || record.approver === undefined) return undefined;
  const extensions = { taskId: task.id, taskStatus: task.status };
  const open = openLevel(task.approval);
  if (!open || open.index !== record.level) return noLongerWorks(`Level ${record.level + 1} of the approval is over; the task is at ${open ? `level ${open.index + 1} (${open.level.name})` : 'no open level'}.`, extensions);
  const vote = open.level.votes[record.approver];
  if (vote) return new AlreadyVotedError(`You already voted at level ${open.level.name}: ${vote.decision} at ${vote.at}.`, { extensions: { ...extensions, level: open.level.name, decision: vote.decision, votedAt: vote.at } });
  const handedOver = (open.level.delegations ?? []).find((delegation) => delegation.from === record.approver);
  if (handedOver) return noLongerWorks(`You handed your vote to ${handedOver.to} at ${handedOver.at}.`, extensions);
  return undefined;
}

/** A link its task has moved on from: 410 with the reason (also what `GET /v1/tokens` shows). */
const noLongerWorks = (reason: string, extensions: Record<string, unknown>) =>
  new SecretExpiredError(`This link no longer works: ${reason}`, { extensions: { ...extensions, reason } });

/** Why a task no longer waits for its links, in the words its links answer with. */
function closedReason(task: Task): string {
  if (task.history.at(-1)?.event === 'approval-expired') return 'The approval request expired.';
  switch (task.status) {
    case 'cancelled':
      return 'The task was cancelled.';
    case 'expired':
      return 'The task expired.';
    case 'failed':
      return 'The task failed.';
    default:
      return `The task is ${task.status}.`;
  }
}

/** Reads an approval link without changing anything. */
export async function viewApproval(ctx: Context, secret: string): Promise<{ task: Task; record: SecretRecord }> {
  return liveSecret(ctx, secret, 'approval');
}

/**
 * Decides through a one-time approval link. Using the link and the decision are one write on the
 * task (guarded by its status and the link's round), so a link is never used up without its
 * decision, and exactly one of concurrent clicks wins.
 */
export async function decideByLink(ctx: Context, secret: string, decision: Decision, reason?: string): Promise<Task> {
  const { record } = await liveSecret(ctx, secret, 'approval');
  const voter = record.recipient ? { email: record.recipient } : {};
  return decide(ctx, record.taskId, { voter, actor: actorOf(voter), decision, via: 'link', ...(reason ? { reason } : {}), link: { level: record.level, round: record.round, approver: record.approver } });
}

/** Hands the link's vote to another person (approval-delegation.ts): the link stops working, the delegate gets one. */
export async function delegateByLink(ctx: Context, secret: string, to: string, reason?: string): Promise<Task> {
  const { record } = await liveSecret(ctx, secret, 'approval');
  const from = record.recipient ? { email: record.recipient } : {};
  return delegate(ctx, record.taskId, { from, actor: actorOf(from), to, ...(reason ? { reason } : {}), link: { level: record.level, approver: record.approver } });
}
