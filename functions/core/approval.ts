import type { Context } from './context.ts';
import { ForbiddenError, InvalidTaskError, SecretExpiredError, WaitOverError } from './errors.ts';
import { assertUndecided, describeInvalid, errorName, invalidActions, isApprovedOrLater } from './explain.ts';
import { failTask } from './failure.ts';
import type { Actor } from './identity.ts';
import { describeError } from './notifier.ts';
import { recordResend, sendingOnce, tellRequester } from './requester-mail.ts';
import { hashSecret } from './secrets.ts';
import type { Task } from './task.ts';
import { moveTo, set, when, write, type Write } from './writes.ts';

export type Decision = 'approve' | 'reject';

export interface DecideOptions {
  /** Who decides, to refuse a requester deciding their own task (unless the type allows it). */
  readonly approver?: { readonly sub?: string; readonly email?: string };
  /** The client's `If-Match`. */
  readonly ifMatch?: number;
  /** For a decision through an approval link: the round of secrets the link belongs to. */
  readonly linkRound?: number;
}

/**
 * The execution waits for a decision: a new round of one-time links, one per approver, each emailed.
 * If the task was decided already (a retry, an approval that came first), resume at once. Answers
 * the task as the wait left it.
 */
export async function awaitApproval(ctx: Context, taskId: string, sfnToken: string): Promise<Task> {
  let task = await ctx.committer.read(taskId);
  let claimed = false;
  if (task.status === 'pending' && task.wait?.sfnToken !== sfnToken) {
    const at = ctx.now();
    // The wait and the claim on its emails are one write: the emails are sent once, not recorded after.
    const committed = await ctx.committer.commit(
      taskId,
      (current) =>
        current.status !== 'pending'
          ? { result: undefined }
          : {
              write: write(
                set({
                  wait: { kind: 'approval', sfnToken, since: at, round: current.rounds + 1 },
                  rounds: current.rounds + 1,
                  sentEmails: [...current.sentEmails.filter((stage) => stage !== 'approval'), 'approval'],
                }),
                when({ path: ['status'], equals: 'pending' }),
                when({ path: ['rounds'], equals: current.rounds }),
              ),
              result: undefined,
            },
      { current: task },
    );
    task = committed.task;
    claimed = committed.applied;
  }
  if (task.status !== 'pending') {
    await ctx.deps.workflow.resume(sfnToken, { decision: isApprovedOrLater(task.status) ? 'approved' : 'rejected' });
    return task;
  }
  // A run of the same wait again (its first run died, perhaps before its emails went) sends them
  // again, links of the same round: at least once, twice only if the first died after sending.
  if (!task.wait) return task;
  const again = !claimed && task.wait.sfnToken === sfnToken && task.sentEmails.includes('approval');
  await sendingOnce(ctx, task.id, 'approval', claimed, async () => {
    const wait = task.wait as NonNullable<Task['wait']>;
    if (again) await recordResend(ctx, task.id, 'approval', wait.round);
    const taskType = ctx.deps.registry.taskType(task.type);
    const at = ctx.now();
    const validUntil = new Date(Date.parse(at) + taskType.approvalTtlSeconds * 1000).toISOString();
    for (const approver of ctx.deps.config.adminEmails) {
      const secret = ctx.makeSecret();
      await ctx.deps.secrets.put({ hash: hashSecret(secret), kind: 'approval', taskId: task.id, round: wait.round, recipient: approver, createdAt: at, validUntil });
      await ctx.mail.send({
        task,
        taskType,
        stage: 'approval',
        recipients: [approver],
        context: { link: `${ctx.deps.config.publicUrl}/v1/approvals/${secret}`, validUntil, approver },
      });
    }
  });
  return task;
}

/**
 * An approver decides (API or link). Exactly one concurrent decision wins; the others learn who
 * decided and when. An approval that arrives while the task still validates is recorded and
 * applied when validation ends; the caller waits a few seconds for that and gets the task as it is.
 */
export async function decide(ctx: Context, taskId: string, decision: Decision, by: Actor, reason: string | undefined, options: DecideOptions = {}): Promise<Task> {
  const task = await ctx.committer.read(taskId);
  const taskType = ctx.taskTypeOf(task);
  if (options.approver && !taskType?.allowSelfApproval && isRequester(task, options.approver)) {
    throw new ForbiddenError(`You asked for task ${task.id}; another approver must decide it.`);
  }
  const at = ctx.now();
  const committed = await ctx.committer.commit(
    taskId,
    (current): { write?: Write; result: { queued: boolean; wait: Task['wait'] } } => {
      assertUndecided(current);
      if (options.linkRound !== undefined && current.wait?.round !== options.linkRound) {
        throw alreadyDecidedOrReplaced(current);
      }
      // Also the wait it saw (by its round): a wait set meanwhile must be resumed by this decision, so it decides again.
      const guard = write(
        when({ path: ['status'], equals: 'pending' }),
        when({ path: ['rounds'], equals: current.rounds }),
        options.linkRound === undefined ? {} : when({ path: ['wait', 'round'], equals: options.linkRound }),
      );
      if (decision === 'reject') {
        return { write: write(guard, moveTo(current, { to: 'rejected', by, event: 'rejected', at, ...(reason ? { reason } : {}) })), result: { queued: false, wait: current.wait } };
      }
      const invalid = invalidActions(current);
      if (invalid.length > 0) {
        throw new InvalidTaskError(`Task ${current.id} cannot be approved: ${describeInvalid(invalid)}. Update its data first.`, {
          extensions: { invalidActions: invalid.map((action) => ({ name: action.name, notes: action.notes.map((n) => n.text) })) },
        });
      }
      if (current.validatedAt === undefined) {
        if (current.queuedApproval) return { result: { queued: true, wait: current.wait } };
        return { write: write(guard, set({ queuedApproval: { by, at } }), when({ path: ['validatedAt'], exists: false })), result: { queued: true, wait: current.wait } };
      }
      return { write: write(guard, moveTo(current, { to: 'approved', by, event: 'approved', at }), set({ approvedBy: by, approvedAt: at })), result: { queued: false, wait: current.wait } };
    },
    { current: task, ...(options.ifMatch === undefined ? {} : { ifMatch: options.ifMatch }) },
  );
  if (committed.result.queued) return waitForValidation(ctx, committed.task);
  let decided = committed.task;
  const wait = committed.result.wait;
  if (wait?.kind === 'approval') decided = await tellWorkflowDecided(ctx, decided, wait.sfnToken);
  if (decided.status === 'rejected') await tellRequester(ctx, decided, 'rejected', { reason: reason ?? '' });
  return decided;
}

/** The queued approval is applied when preApprove ends; wait (bounded) for that and answer the task as it then is. */
async function waitForValidation(ctx: Context, task: Task): Promise<Task> {
  const deadline = Date.now() + (ctx.deps.config.validationWaitMs ?? 4000);
  let current = task;
  while (current.status === 'pending' && current.queuedApproval && Date.now() < deadline) {
    await ctx.sleep(100);
    current = await ctx.committer.read(task.id);
  }
  if (current.status === 'pending' && current.queuedApproval === undefined) {
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
async function tellWorkflowDecided(ctx: Context, task: Task, sfnToken: string): Promise<Task> {
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

function alreadyDecidedOrReplaced(task: Task): Error {
  return new SecretExpiredError('This link no longer works: a newer approval request was sent.', { extensions: { taskId: task.id, taskStatus: task.status } });
}

const isRequester = (task: Task, approver: { sub?: string; email?: string }): boolean =>
  task.createdBy !== null &&
  ((approver.sub !== undefined && approver.sub === task.createdBy.sub) ||
    (approver.email !== undefined && approver.email.toLowerCase() === task.createdBy.email?.toLowerCase()));

