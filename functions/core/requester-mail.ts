import type { Context } from './context.ts';
import { describeError } from './notifier.ts';
import type { Task } from './task.ts';
import { append, set, when, write } from './writes.ts';

/** The address stage emails to the requester go to: the first action that names one. */
export function recipientOf(ctx: Context, task: Task): string | undefined {
  for (const record of task.actions) {
    const action = ctx.deps.registry.action(record.name);
    const address = action.recipient?.(action.schema.parse(record.data), task);
    if (address) return address;
  }
  return undefined;
}

/**
 * Records, before sending again, that a wait run again with its own task token resends a stage's
 * emails: its first run died and nobody knows whether they went (so a second email is explained).
 */
export async function recordResend(ctx: Context, taskId: string, stage: string, round: number, inWait = true): Promise<void> {
  await ctx.committer.commit(taskId, () => ({
    write: write(append('resentEmails', { stage, round, at: ctx.now() }), inWait ? when({ path: ['wait', 'round'], equals: round }) : {}),
    result: undefined,
  }));
}

/**
 * Claims a stage's email before sending it (no write after): false if it was claimed already. On
 * the version it read, so of two claims at once exactly one wins (the other reads the claim again).
 */
export async function claimStage(ctx: Context, taskId: string, stage: string): Promise<boolean> {
  const { applied } = await ctx.committer.commit(taskId, (current) =>
    current.sentEmails.includes(stage) ? { result: undefined } : { write: write(append('sentEmails', stage), when({ path: ['version'], equals: current.version })), result: undefined },
  );
  return applied;
}

/** Records that a stage email went out (so a retried step does not send it again), for this attempt only. */
export async function markSent(ctx: Context, taskId: string, stage: string): Promise<void> {
  await ctx.committer.commit(taskId, (current) =>
    current.sentEmails.includes(stage) ? { result: undefined } : { write: write(append('sentEmails', stage), when({ path: ['attempt'], equals: current.attempt })), result: undefined },
  );
}

/**
 * Sends a stage's emails once. `claimed`: the write that made the wait also put the stage in
 * `sentEmails`, before sending (no write after). A send that fails gives the claim back, so the
 * retried step sends again; a re-run whose claim was given back sends and records it then.
 */
export async function sendingOnce(ctx: Context, taskId: string, stage: string, claimed: boolean, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (claimed) await unclaim(ctx, taskId, stage).catch((e: unknown) => ctx.onInternalError(`Could not give back the ${stage} email claim of task ${taskId}`, e));
    throw error;
  }
  if (!claimed) await markSent(ctx, taskId, stage);
}

async function unclaim(ctx: Context, taskId: string, stage: string): Promise<void> {
  await ctx.committer.commit(taskId, (current) =>
    current.sentEmails.includes(stage)
      ? { write: write(set({ sentEmails: current.sentEmails.filter((sent) => sent !== stage) }), when({ path: ['version'], equals: current.version })), result: undefined }
      : { result: undefined },
  );
}

/** Emails the requester about an ending. Failures become error notifications, never lost silently. */
export async function tellRequester(
  ctx: Context,
  task: Task,
  stage: 'completed' | 'rejected' | 'cancelled',
  context: Record<string, unknown>,
  /** `rethrow`: a failed send throws (the caller retries) instead of telling the operators; `recorded`: the caller claimed the stage already. */
  options: { rethrow?: boolean; recorded?: boolean } = {},
): Promise<void> {
  const recipient = recipientOf(ctx, task);
  const taskType = ctx.taskTypeOf(task);
  try {
    const sent = await ctx.mail.send({ task, taskType, stage, recipients: recipient ? [recipient] : [], context });
    if (sent && !options.recorded) await markSent(ctx, task.id, stage);
  } catch (error) {
    if (options.rethrow) throw error;
    await ctx.notifier.notify({ task, taskType, kind: 'error', message: `The ${stage} email of task ${task.id} could not be sent.`, detail: describeError(error) });
  }
}
