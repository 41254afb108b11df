import { approvalEntry, levelWrite, openCurrentLevel } from './approval-levels.ts';
import { activeApprovers, approvalsAt, approverAt, isSamePerson, nextLevelIndex, openLevel, sentence, type LevelState, type Vote, type Voter } from './approval-state.ts';
import type { Context } from './context.ts';
import { AlreadyVotedError, ConcurrentUpdateError, ForbiddenError, InvalidTaskError, NotAnApproverError, SecretExpiredError } from './errors.ts';
import { assertUndecided, describeInvalid, invalidActions } from './explain.ts';
import type { Actor } from './identity.ts';
import type { Task } from './task.ts';
import { append, moveTo, set, when, write, type Write } from './writes.ts';

export type Decision = 'approve' | 'reject';

export interface VoteInput {
  readonly voter: Voter;
  /** As written in history. */
  readonly actor: Actor;
  readonly decision: Decision;
  readonly reason?: string;
  readonly via: Vote['via'];
  /** A link's level and round: the vote counts only while the task still waits there. */
  readonly link?: { readonly level: number | undefined; readonly round: number; readonly approver: string | undefined };
  /** The client's `If-Match`. */
  readonly ifMatch?: number;
}

/**
 * What one vote did: `counted` (the level still needs more), `level-approved` (the next level
 * opens), `approved` (the last level's quorum: the task is approved), `rejected` (any reject ends
 * the task), `queued` (the task still validates: the vote is cast when its first level opens).
 */
export type VoteOutcome = 'counted' | 'level-approved' | 'approved' | 'rejected' | 'queued';

/**
 * Casts one person's vote at the open level, as one conditional write: on the level (it is still
 * the open one), the vote not yet cast, and the number of votes the decision counted, so of
 * concurrent votes each is counted exactly once and the one that completes the quorum knows it.
 * A reject ends the task rejected; the last level's quorum approves it; any other level's quorum
 * opens the next level. Answers the task as the write left it.
 */
export async function castVote(ctx: Context, taskId: string, input: VoteInput): Promise<{ task: Task; outcome: VoteOutcome; wait: Task['wait'] }> {
  const read = await ctx.committer.read(taskId);
  const taskType = ctx.taskTypeOf(read);
  if (!taskType?.allowSelfApproval && isRequester(read, input.voter)) {
    throw new ForbiddenError(`You asked for task ${read.id}; another approver must decide it.`);
  }
  const at = ctx.now();
  const committed = await ctx.committer.commit(
    taskId,
    (current): { write?: Write; result: { outcome: VoteOutcome; wait: Task['wait'] } } => {
      assertUndecided(current);
      if (input.link && current.wait?.round !== input.link.round) {
        throw new SecretExpiredError('This link no longer works: a newer approval request was sent.', { extensions: { taskId: current.id, taskStatus: current.status } });
      }
      const open = openLevel(current.approval);
      if (!open) {
        if (current.approval !== undefined) throw new ConcurrentUpdateError(`Task ${current.id} is between two levels of its approval; vote again in a moment.`, { retryAfterSeconds: 2 });
        // Still validating: queue the vote (one), cast when the first level opens.
        if (current.queuedVote) return { result: { outcome: 'queued', wait: current.wait } };
        return {
          write: write(set({ queuedVote: { voter: input.voter, actor: input.actor, decision: input.decision, via: input.via, at, ...(input.reason ? { reason: input.reason } : {}) } }), when({ path: ['status'], equals: 'pending' }), when({ path: ['approval'], exists: false }), when({ path: ['queuedVote'], exists: false })),
          result: { outcome: 'queued', wait: current.wait },
        };
      }
      if (input.link?.level !== undefined && input.link.level !== open.index) {
        throw new SecretExpiredError(`This link no longer works: level ${input.link.level + 1} of the approval is over; the task is at level ${open.index + 1} (${open.level.name}).`, {
          extensions: { taskId: current.id, taskStatus: current.status, level: open.level.name },
        });
      }
      const approver = input.link?.approver !== undefined ? activeApprovers(open.level).find((known) => known.key === input.link?.approver) : approverAt(open.level, input.voter);
      if (!approver) throw notAnApprover(current, open.level, input.voter);
      const cast = open.level.votes[approver.key];
      if (cast) {
        throw new AlreadyVotedError(`You already voted at level ${open.level.name} of task ${current.id}: ${cast.decision} at ${cast.at}.`, {
          extensions: { taskId: current.id, level: open.level.name, decision: cast.decision, votedAt: cast.at },
        });
      }
      if (input.decision === 'approve') assertValid(current);
      const vote: Vote = { decision: input.decision, at, via: input.via, ...(input.reason ? { reason: input.reason } : {}), ...(approver.onBehalfOf ? { onBehalfOf: approver.onBehalfOf } : {}) };
      const approvals = approvalsAt(open.level) + (input.decision === 'approve' ? 1 : 0);
      const next = input.decision === 'reject' ? undefined : nextLevelIndex(current.approval as NonNullable<Task['approval']>, open.index);
      const outcome: VoteOutcome = input.decision === 'reject' ? 'rejected' : approvals < open.level.quorum ? 'counted' : next === undefined ? 'approved' : 'level-approved';
      const state = current.approval as NonNullable<Task['approval']>;
      const level: LevelState = {
        ...open.level,
        votes: { ...open.level.votes, [approver.key]: vote },
        ...(outcome === 'counted' ? {} : { state: outcome === 'rejected' ? 'rejected' : 'approved' }),
      };
      const progress = `${approvals} of ${open.level.quorum}`;
      const entry = approvalEntry(current, {
        by: input.actor,
        event: input.decision === 'approve' ? 'vote-approve' : 'vote-reject',
        at,
        reason: `Level ${open.level.name}: ${input.decision} by ${approver.email ?? approver.key}${approver.onBehalfOf ? ` for ${approver.onBehalfOf}` : ''} via ${input.via} (${progress} approvals)${input.reason ? `: ${sentence(input.reason)}` : '.'}`,
      });
      const guard = write(
        when({ path: ['status'], equals: 'pending' }),
        when({ path: ['approval', 'level'], equals: open.index }),
        when({ path: ['approval', 'levels', open.index, 'state'], equals: 'open' }),
        when({ path: ['approval', 'levels', open.index, 'votes', approver.key], exists: false }),
        // A decision must reach the wait that exists when it lands.
        when({ path: ['rounds'], equals: current.rounds }),
      );
      // The vote that approves the task is told by the transition's entry (one entry, not two: a
      // task item's every later write is billed by its size).
      const parts = [guard, levelWrite(current, state, open.index, level), outcome === 'approved' ? {} : append('history', entry)];
      if (outcome === 'rejected') parts.push(moveTo(current, { to: 'rejected', by: input.actor, event: 'rejected', at, ...(input.reason ? { reason: input.reason } : {}) }));
      if (outcome === 'approved') parts.push(moveTo(current, { to: 'approved', by: input.actor, event: 'approved', at, reason: entry.reason }), set({ approvedBy: input.actor, approvedAt: at }));
      // The next level opens after this write (its approvers are looked up first): approval-levels.ts.
      if (outcome === 'level-approved') parts.push({ set: [{ path: ['approval', 'level'], value: next }] });
      // The history entry of the vote comes before the status change's (moveTo appends its own).
      return { write: orderHistory(write(...parts)), result: { outcome, wait: current.wait } };
    },
    { current: read, ...(input.ifMatch === undefined ? {} : { ifMatch: input.ifMatch }) },
  );
  const { outcome, wait } = committed.result;
  if (outcome === 'level-approved') {
    // The vote counted whatever happens next: a next level that cannot open now (the directory or
    // mail is down) is opened by the reconciler's schedule a minute later.
    const opened = await openCurrentLevel(ctx, taskId).catch((error: unknown) => {
      ctx.onInternalError(`Task ${taskId}: the next level of its approval could not open; the reconciler opens it`, error);
      return committed.task;
    });
    return { task: opened, outcome, wait };
  }
  return { task: committed.task, outcome, wait };
}

/** The vote's entry first, then the transition's: both appended to `history` in one list. */
function orderHistory(planned: Write): Write {
  const history = planned.append.filter((change) => change.path[0] === 'history');
  if (history.length < 2) return planned;
  const others = planned.append.filter((change) => change.path[0] !== 'history');
  const votes = history.filter((change) => (change.items[0] as { event?: string }).event?.startsWith('vote-'));
  const rest = history.filter((change) => !votes.includes(change));
  return { ...planned, append: [...others, { path: ['history'], items: [...votes, ...rest].flatMap((change) => change.items) }] };
}

function assertValid(task: Task): void {
  const invalid = invalidActions(task);
  if (invalid.length === 0) return;
  throw new InvalidTaskError(`Task ${task.id} cannot be approved: ${describeInvalid(invalid)}. Update its data first.`, {
    extensions: { invalidActions: invalid.map((action) => ({ name: action.name, notes: action.notes.map((note) => note.text) })) },
  });
}

export function notAnApprover(task: Task, level: LevelState, voter: Voter): NotAnApproverError {
  const handedOver = (level.delegations ?? []).find((delegation) => level.approvers.some((approver) => approver.key === delegation.from && isSamePerson(approver, voter)));
  const extensions = { taskId: task.id, level: level.name };
  if (handedOver) return new NotAnApproverError(`You delegated your vote at level ${level.name} of task ${task.id} to ${handedOver.to} at ${handedOver.at}.`, { extensions });
  return new NotAnApproverError(`You are not an approver of level ${level.name} of task ${task.id}, the level its approval is at.`, { extensions });
}

export const isRequester = (task: Task, voter: Voter): boolean =>
  task.createdBy !== null && isSamePerson({ sub: task.createdBy.sub, ...(task.createdBy.email ? { email: task.createdBy.email } : {}) }, voter);
