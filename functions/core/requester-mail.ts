import type { Context } from './context.ts';
import { describeError } from './notifier.ts';
import type { Task } from './task.ts';
import { append, when, write } from './writes.ts';

/** The address stage emails to the requester go to: the first action that names one. */
export function recipientOf(ctx: Context, task: Task): string | undefined {
  for (const record of task.actions) {
    const action = ctx.deps.registry.action(record.name);
    const address = action.recipient?.(action.schema.parse(record.data), task);
    if (address) return address;
  }
  return undefined;
}

/** Records that a stage email went out (so a retried step does not send it again), for this attempt only. */
export async function markSent(ctx: Context, taskId: string, stage: string): Promise<void> {
  await ctx.committer.commit(taskId, (current) =>
    current.sentEmails.includes(stage) ? { result: undefined } : { write: write(append('sentEmails', stage), when({ path: ['attempt'], equals: current.attempt })), result: undefined },
  );
}

/** Emails the requester about an ending. Failures become error notifications, never lost silently. */
export async function tellRequester(
  ctx: Context,
  task: Task,
  stage: 'completed' | 'rejected' | 'cancelled',
  context: Record<string, unknown>,
  options: { rethrow?: boolean } = {},
): Promise<void> {
  const recipient = recipientOf(ctx, task);
  const taskType = ctx.taskTypeOf(task);
  try {
    const sent = await ctx.mail.send({ task, taskType, stage, recipients: recipient ? [recipient] : [], context });
    if (sent) await markSent(ctx, task.id, stage);
  } catch (error) {
    if (options.rethrow) throw error;
    await ctx.notifier.notify({ task, taskType, kind: 'error', message: `The ${stage} email of task ${task.id} could not be sent.`, detail: describeError(error) });
  }
}
