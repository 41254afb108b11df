import type { Context } from './context.ts';
import { settleUniformDuplicate } from './duplicates.ts';
import { InvalidTaskError, InvalidTransitionError } from './errors.ts';
import { describeInvalid, invalidActions } from './explain.ts';
import { SYSTEM } from './identity.ts';
import { markSent, recipientOf } from './requester-mail.ts';
import { runStage, votesToApprove } from './stages.ts';
import type { TaskType } from './task-type.ts';
import type { ActionRecord, Task } from './task.ts';
import { moveTo, set, when, write, type Write } from './writes.ts';

type Decided = 'approved' | 'rejected' | 'pending';

/**
 * preApprove, as the AwaitApproval step runs it first: every action's preApprove on the task's
 * current data, its results committed in one write together with what they decide (auto-approval,
 * auto-rejection of an invalid request, or an approval that arrived while the task validated), then
 * the initial email; for a `uniform` type, its duplicate handling first. The write is guarded by the data revision it validated: if an admin updated the
 * data meanwhile, that update's own run counts instead. A task that is no longer pending (a retry, a
 * re-run) is answered as it is. Answers the task as the stage left it.
 */
export async function preApprove(ctx: Context, taskId: string): Promise<Task> {
  const read = await ctx.committer.read(taskId);
  if (read.status !== 'pending') return read;
  const taskType = ctx.deps.registry.taskType(read.type);
  const task = read.attempt === 1 ? await settleUniformDuplicate(ctx, read, taskType) : read;
  if (task.status !== 'pending') return task;
  const { task: validated } = await validate(ctx, task, taskType);
  if (!validated.sentEmails.includes('initial') && validated.attempt === 1) {
    const recipient = recipientOf(ctx, validated);
    if (await ctx.mail.send({ task: validated, taskType, stage: 'initial', recipients: recipient ? [recipient] : [] })) await markSent(ctx, taskId, 'initial');
  }
  return validated;
}

/**
 * Runs preApprove (unless it already ran on this data) and commits its results and decision.
 * Also used by an admin's data update. A hook that throws still has the results of the actions
 * before it committed (their checkpoints), then its error goes on.
 */
export async function validate(ctx: Context, task: Task, taskType: TaskType): Promise<{ task: Task; result: Decided }> {
  const revision = task.dataRevision;
  const run = task.validatedAt === undefined ? await runStage(task, 'preApprove', ctx.deps.registry, ctx.deps.ports, ctx.now) : undefined;
  const at = ctx.now();
  const committed = await ctx.committer.commit(
    task.id,
    (current): { write?: Write; result: Decided } => {
      if (current.status !== 'pending' || current.dataRevision !== revision) return { result: 'pending' };
      const actions = run ? run.task.actions : current.actions;
      // A hook that threw leaves its checkpoints, not a validation: the task still validates.
      const results = run ? write(set({ actions }), projectOf(run, current), run.error === undefined ? set({ validatedAt: at }) : {}) : write();
      const guard = write(
        when({ path: ['status'], equals: 'pending' }),
        when({ path: ['dataRevision'], equals: revision }),
        // A decision made here must reach the wait that exists when it lands (a data update's validation runs beside the step).
        when({ path: ['rounds'], equals: current.rounds }),
      );
      if (run?.error !== undefined) return { write: write(results, guard), result: 'pending' };
      const decision = decide(current, actions, taskType, at);
      if (!decision) return run ? { write: write(results, guard), result: 'pending' } : { result: 'pending' };
      return { write: write(results, guard, decision.write), result: decision.to };
    },
    { current: task },
  );
  if (run?.error !== undefined) throw run.error;
  return committed;
}

/** The project a stage run found for the task (`ctx.setProject`), written with its results when it is new. */
export const projectOf = (run: { readonly projectId?: string }, current: Task): Partial<Write> =>
  run.projectId !== undefined && run.projectId !== current.projectId ? set({ projectId: run.projectId }) : {};

/** What validation decides: auto-approval or auto-rejection, or nothing (a vote queued meanwhile is cast when the first level opens). */
function decide(current: Task, actions: ActionRecord[], taskType: TaskType, at: string): { write: Write; to: Decided } | undefined {
  const next = { ...current, actions };
  const invalid = invalidActions(next);
  if (!taskType.autoApprove || !votesToApprove(next)) return undefined;
  if (invalid.length > 0) {
    // A type meant to run unattended does not queue invalid requests for humans: it rejects them.
    return { write: write(moveTo(current, { to: 'rejected', by: SYSTEM, event: 'auto-rejected', at, reason: `Invalid: ${describeInvalid(invalid)}` })), to: 'rejected' };
  }
  return { write: write(moveTo(current, { to: 'approved', by: SYSTEM, event: 'auto-approved', at }), set({ approvedBy: SYSTEM, approvedAt: at })), to: 'approved' };
}

/** What postApprove's hooks did, before it is committed. `done`: every hook ran and the task is still valid. */
export interface PostApproveRun {
  readonly actions: ActionRecord[];
  readonly done: boolean;
  readonly error?: unknown;
  readonly invalid: ActionRecord[];
  /** The project an action said the task belongs to (sign-up: the one it created). */
  readonly projectId?: string;
}

/** Runs postApprove's hooks (the actions do their work, checkpointed, and may ask for a token); commits nothing. */
export async function runPostApprove(ctx: Context, task: Task): Promise<PostApproveRun> {
  if (task.status !== 'approved') throw new InvalidTransitionError(`Task ${task.id} is ${task.status}; postApprove needs it approved.`);
  const run = await runStage(task, 'postApprove', ctx.deps.registry, ctx.deps.ports, ctx.now);
  const invalid = invalidActions(run.task);
  return {
    actions: run.task.actions,
    done: run.error === undefined && invalid.length === 0,
    invalid,
    ...(run.error === undefined ? {} : { error: run.error }),
    ...(run.projectId === undefined ? {} : { projectId: run.projectId }),
  };
}

/**
 * postApprove, as the AwaitToken step runs it on an approved task when no token wait follows (a
 * token wait commits the results in its own write): the results in one write, with
 * `postApprovedAt` when every hook ran and the task is still valid, so that a later run of the step
 * (a retry of the task, a re-run of the state) does not run the stage again. A hook that throws, or
 * an action left invalid, fails the step; the checkpoints are kept. Answers the task as committed.
 */
export async function postApprove(ctx: Context, task: Task, ran?: PostApproveRun): Promise<Task> {
  const run = ran ?? (await runPostApprove(ctx, task));
  const also = { ...(run.done ? { postApprovedAt: ctx.now() } : {}), ...(run.projectId === undefined ? {} : { projectId: run.projectId }) };
  const saved = await commitStageResults(ctx, task, run.actions, 'approved', also);
  if (run.error !== undefined) throw run.error;
  if (!run.done) throw new InvalidTaskError(`Task ${task.id} became invalid after approval: ${describeInvalid(run.invalid)}.`);
  return saved;
}

/** Commits a stage's action records (and `also`) while the task is still in `status` (and the same attempt). */
export async function commitStageResults(ctx: Context, task: Task, actions: ActionRecord[], status: Task['status'], also: Partial<Task> = {}): Promise<Task> {
  const committed = await ctx.committer.commit(
    task.id,
    (current) => {
      if (current.status !== status || current.attempt !== task.attempt) {
        throw new InvalidTransitionError(`Task ${task.id} is ${current.status} now; the results of its ${status} stage were not kept.`, { extensions: { taskStatus: current.status } });
      }
      return { write: write(set({ ...also, actions }), when({ path: ['status'], equals: status }), when({ path: ['attempt'], equals: task.attempt })), result: undefined };
    },
    { current: task },
  );
  return committed.task;
}
