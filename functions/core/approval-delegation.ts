import { approvalEntry, levelWrite, sendLinks } from './approval-levels.ts';
import { activeApprovers, approverAt, keyOf, openLevel, sentence, type Approver, type Voter } from './approval-state.ts';
import { isRequester, notAnApprover } from './approval-votes.ts';
import type { Context } from './context.ts';
import { AlreadyVotedError, ConcurrentUpdateError, ValidationError } from './errors.ts';
import { assertUndecided } from './explain.ts';
import type { Actor } from './identity.ts';
import type { Task } from './task.ts';
import { append, when, write } from './writes.ts';

export interface DelegateInput {
  /** Who hands their vote over. */
  readonly from: Voter;
  readonly actor: Actor;
  /** The address of who gets it. */
  readonly to: string;
  readonly reason?: string;
  /** A link's level and approver: the delegation is that approver's, at that level. */
  readonly link?: { readonly level: number | undefined; readonly approver: string | undefined };
}

/**
 * An approver hands their vote at the open level to another person, who joins the level in their
 * place and gets a link of their own; the delegator's links stop working and their vote is no
 * longer counted as theirs. Never to the requester, to oneself, to someone who already holds a vote
 * at the level (a vote counts once), or back to anyone who handed theirs over (no cycles).
 */
export async function delegate(ctx: Context, taskId: string, input: DelegateInput): Promise<Task> {
  const to = input.to.trim().toLowerCase();
  const at = ctx.now();
  const committed = await ctx.committer.commit(taskId, (current) => {
    assertUndecided(current);
    const open = openLevel(current.approval);
    if (!open) throw new ConcurrentUpdateError(`Task ${current.id} has no level of its approval open; try again in a moment.`, { retryAfterSeconds: 2 });
    if (input.link?.level !== undefined && input.link.level !== open.index) throw notAnApprover(current, open.level, input.from);
    const from = input.link?.approver !== undefined ? activeApprovers(open.level).find((approver) => approver.key === input.link?.approver) : approverAt(open.level, input.from);
    if (!from) throw notAnApprover(current, open.level, input.from);
    const voted = open.level.votes[from.key];
    if (voted) throw new AlreadyVotedError(`You already voted at level ${open.level.name} of task ${current.id} (${voted.decision} at ${voted.at}); a vote cast cannot be handed over.`, { extensions: { taskId: current.id, level: open.level.name } });
    const refuse = (message: string) => new ValidationError([{ path: 'to', message }]);
    if (from.email === to) throw refuse('is you: hand your vote to someone else');
    if (isRequester(current, { email: to })) throw refuse('asked for this task: a requester never decides their own task');
    if ((open.level.delegations ?? []).some((delegation) => delegation.from === to)) throw refuse(`handed their vote at this level over already: a vote cannot come back (no cycles)`);
    if (open.level.approvers.some((approver) => approver.email === to)) throw refuse('is an approver of this level already: each person votes once');
    const delegate: Approver = { key: keyOf({ email: to }), email: to, via: 'delegation', onBehalfOf: from.onBehalfOf ?? from.key };
    const level = {
      ...open.level,
      approvers: [...open.level.approvers, delegate],
      delegations: [...(open.level.delegations ?? []), { from: from.key, to: delegate.key, at, ...(input.reason ? { reason: input.reason } : {}) }],
    };
    const entry = approvalEntry(current, { by: input.actor, event: 'delegated', at, reason: `Level ${open.level.name}: ${from.email ?? from.key} handed their vote to ${to}${input.reason ? `: ${sentence(input.reason)}` : '.'}` });
    return {
      write: write(levelWrite(current, current.approval as NonNullable<Task['approval']>, open.index, level), when({ path: ['status'], equals: 'pending' }), when({ path: ['approval', 'level'], equals: open.index }), append('history', entry)),
      result: { index: open.index, delegate, from: from.email ?? from.key },
    };
  });
  const { index, delegate: joined, from } = committed.result;
  await sendLinks(ctx, committed.task, index, [joined], { delegatedBy: from, ...(input.reason ? { delegationReason: input.reason } : {}) }, 'approval');
  return committed.task;
}
