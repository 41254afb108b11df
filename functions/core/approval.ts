import { type LevelOpening, mailLevel, openCurrentLevel, openingWrite, planOpening, sendLinks, tellOperatorsIfShort } from './approval-levels.ts';
import { activeApprovers, openLevel, type Voter } from './approval-state.ts';
import { castVote, type VoteInput } from './approval-votes.ts';
import type { Context } from './context.ts';
import { ClientError, InvalidTaskError, WaitOverError } from './errors.ts';
import { describeInvalid, errorName, invalidActions, isApprovedOrLater } from './explain.ts';
import { failTask } from './failure.ts';
import type { Actor } from './identity.ts';
import { describeError } from './notifier.ts';
import { recordResend, tellRequester } from './requester-mail.ts';
import type { Task } from './task.ts';
import { append, remove, set, when, write } from './writes.ts';

export type { Decision } from './approval-votes.ts';

/**
 * The execution waits for the approval policy's decision. A new wait (the first, or an admin
 * retry's new execution) is a new round of links. The first level opens in the write that makes
 * the wait (its approvers looked up just before), which also claims its emails (`mailedAt`, and
 * `approval` in `sentEmails`): then each approver gets a link of their own; a send that fails gives
 * the claim back, so the step's retry sends them. A level already open (a retry's new round) sends
 * its approvers who have not voted links of the new round. A run of the same wait again (its first
 * run died, maybe before its emails went) sends the open level's links again, recorded as a resend.
 * A vote queued while the task validated is cast once the level is open. If the task was decided
 * already, resume at once.
 */
export async function awaitApproval(ctx: Context, taskId: string, sfnToken: string): Promise<Task> {
  let task = await ctx.committer.read(taskId);
  let fresh = false;
  let opened: LevelOpening | undefined;
  if (task.status === 'pending' && task.wait?.sfnToken !== sfnToken) {
    const at = ctx.now();
    const opening = await planOpening(ctx, task);
    const planned = task;
    const committed = await ctx.committer.commit(
      taskId,
      (current) => {
        if (current.status !== 'pending') return { result: undefined };
        const round = current.rounds + 1;
        const opens = opening ? openingWrite(current, planned, opening, at) : undefined;
        return {
          write: write(
            set({ wait: { kind: 'approval', sfnToken, since: at, round }, rounds: round }),
            when({ path: ['status'], equals: 'pending' }),
            when({ path: ['rounds'], equals: current.rounds }),
            opens ? write(opens, current.sentEmails.includes('approval') ? {} : append('sentEmails', 'approval')) : {},
          ),
          result: opens ? opening : undefined,
        };
      },
      { current: task },
    );
    task = committed.task;
    fresh = committed.applied;
    opened = committed.result;
  }
  if (task.status !== 'pending') {
    await ctx.deps.workflow.resume(sfnToken, { decision: isApprovedOrLater(task.status) ? 'approved' : 'rejected' });
    return task;
  }
  if (!task.wait) return task;
  if (opened) {
    await sendClaimed(ctx, task, opened);
    await tellOperatorsIfShort(ctx, task, opened);
    return applyQueuedVote(ctx, task);
  }
  const open = openLevel(task.approval);
  if (!open) {
    task = await openCurrentLevel(ctx, taskId, task);
  } else {
    const pending = activeApprovers(open.level).filter((approver) => !open.level.votes[approver.key]);
    if (!fresh && open.level.mailedAt !== undefined) await recordResend(ctx, task.id, 'approval', task.wait.round);
    await mailLevel(ctx, task, open.index, pending);
  }
  return applyQueuedVote(ctx, task);
}

/** Sends the emails the wait's write claimed; a send that fails gives the claim back (so the retried step sends them) and fails the step. */
async function sendClaimed(ctx: Context, task: Task, opening: LevelOpening): Promise<void> {
  try {
    await sendLinks(ctx, task, opening.index, opening.level.approvers, {}, 'approval');
  } catch (error) {
    await ctx.committer.commit(task.id, (current) =>
      current.approval?.levels[opening.index]?.state === 'open' && current.approval.levels[opening.index]?.mailedAt !== undefined
        ? {
            write: write(
              { remove: [['approval', 'levels', opening.index, 'mailedAt']] },
              set({ sentEmails: current.sentEmails.filter((stage) => stage !== 'approval') }),
              when({ path: ['approval', 'levels', opening.index, 'state'], equals: 'open' }),
              when({ path: ['version'], equals: current.version }),
            ),
            result: undefined,
          }
        : { result: undefined },
    );
    throw error;
  }
}

/** Casts the vote queued while the task validated, now that a level is open; one that cannot count is dropped with a note saying why. */
async function applyQueuedVote(ctx: Context, task: Task): Promise<Task> {
  const queued = task.queuedVote;
  if (!queued || task.status !== 'pending') return task;
  let why: string | undefined;
  try {
    await decide(ctx, task.id, { voter: queued.voter, actor: queued.actor ?? actorOf(queued.voter), decision: queued.decision, via: queued.via, ...(queued.reason ? { reason: queued.reason } : {}) });
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    why = error.message;
  }
  const at = ctx.now();
  const { task: settled } = await ctx.committer.commit(task.id, (current) =>
    current.queuedVote?.at === queued.at
      ? {
          write: write(
            remove('queuedVote'),
            why === undefined ? {} : append('notes', { at, text: `The ${queued.decision} by ${queued.voter.email ?? queued.voter.sub} (sent at ${queued.at}, while the task validated) was not applied: ${why}` }),
          ),
          result: undefined,
        }
      : { result: undefined },
  );
  return settled;
}

export const actorOf = (voter: Voter): Actor => ({ kind: 'approver', id: voter.email ?? voter.sub ?? 'approver' });

/**
 * A person votes (API, link, inbox). The vote is counted once (approval-votes.ts); a vote that
 * decided the task tells the waiting execution; a reject tells the requester. A vote that arrived
 * while the task still validates is queued and cast when the first level opens: the caller waits
 * a few seconds for that and gets the task as it is.
 */
export async function decide(ctx: Context, taskId: string, input: VoteInput): Promise<Task> {
  const { task, outcome, wait } = await castVote(ctx, taskId, input);
  if (outcome === 'queued') return waitForOpening(ctx, task);
  let decided = task;
  if ((outcome === 'approved' || outcome === 'rejected') && wait?.kind === 'approval') decided = await tellWorkflowDecided(ctx, decided, wait.sfnToken);
  if (decided.status === 'rejected') await tellRequester(ctx, decided, 'rejected', { reason: input.reason ?? '' });
  return decided;
}

/** The queued vote is cast when the first level opens; wait (bounded) for that and answer the task as it then is. */
async function waitForOpening(ctx: Context, task: Task): Promise<Task> {
  const deadline = Date.now() + (ctx.deps.config.validationWaitMs ?? 4000);
  let current = task;
  while (current.status === 'pending' && current.queuedVote && Date.now() < deadline) {
    await ctx.sleep(100);
    current = await ctx.committer.read(task.id);
  }
  if (current.status === 'pending' && current.queuedVote === undefined) {
    const invalid = invalidActions(current);
    if (invalid.length > 0) {
      throw new InvalidTaskError(`Task ${current.id} cannot be approved: ${describeInvalid(invalid)}. Update its data first.`, {
        extensions: { invalidActions: invalid.map((action) => ({ name: action.name, notes: action.notes.map((n) => n.text) })) },
      });
    }
  }
  return current;
}

/**
 * Resumes the execution waiting for the decision. The decision is already saved; if Step Functions
 * cannot be told (after the SDK's retries), an approved task fails at AwaitToken, where the work
 * after an approval happens (an admin retry carries on from there, in a new execution, without
 * asking for approval again) and its waiting execution is stopped; a rejected task is over anyway
 * and its execution ends at its approval timeout.
 */
export async function tellWorkflowDecided(ctx: Context, task: Task, sfnToken: string): Promise<Task> {
  try {
    if (await ctx.deps.workflow.resume(sfnToken, { decision: task.status === 'approved' ? 'approved' : 'rejected' })) return task;
    throw new WaitOverError('The execution no longer waits for this decision (its wait timed out or it was stopped).');
  } catch (error) {
    if (task.status !== 'approved') {
      ctx.onInternalError(`Could not tell the workflow that task ${task.id} was ${task.status}`, error);
      return task;
    }
    const failed = await failTask(ctx, task.id, 'AwaitToken', { Error: errorName(error), Cause: `The approval was saved but the workflow could not be resumed: ${describeError(error)}` });
    if (task.executionArn) {
      await ctx.deps.workflow.stop(task.executionArn, 'Superseded: the task failed after its approval').catch((e: unknown) => ctx.onInternalError('Could not stop an execution', e));
    }
    return failed;
  }
}
