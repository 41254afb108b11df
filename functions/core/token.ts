import * as z from 'zod';
import type { Context } from './context.ts';
import { ForbiddenError, InvalidTransitionError, UnauthorizedError } from './errors.ts';
import type { Actor, Identity } from './identity.ts';
import { SYSTEM } from './identity.ts';
import { liveSecret } from './links.ts';
import { recipientOf, recordResend, sendingOnce } from './requester-mail.ts';
import { hashSecret } from './secrets.ts';
import { tokenSchemaOf } from './stages.ts';
import type { TaskType } from './task-type.ts';
import type { Task } from './task.ts';
import { append, moveTo, set, when, write } from './writes.ts';

/** A token's public face: what the user must supply and until when. */
export interface TokenView {
  readonly task: Task;
  readonly taskType: TaskType;
  readonly validUntil: string;
  readonly schema: z.ZodObject;
}

/**
 * The execution waits for the user: the task moves to `awaiting_token` with this wait, and a
 * one-time token is emailed. A run of the same wait again (the same task token: its first run died,
 * perhaps before the email went) sends another link of the same round, so the first one keeps
 * working too: an email is sent at least once, twice only if the first run died between the send
 * and its return. A retried step (a new task token) makes a new round. `current`: the task as the
 * caller just read or wrote it (saves a read).
 */
export async function awaitToken(
  ctx: Context,
  taskId: string,
  sfnToken: string,
  current?: Task,
  /** postApprove's results, committed in the same write as the wait (only while the task is still approved, in this attempt). */
  stageResults?: Pick<Task, 'actions' | 'postApprovedAt' | 'projectId'>,
): Promise<void> {
  let task = current ?? (await ctx.committer.read(taskId));
  if (task.status === 'completed') {
    await ctx.deps.workflow.resume(sfnToken, { submitted: true });
    return;
  }
  const at = ctx.now();
  // The wait and the claim on its email are one write: the token email is sent once, not recorded after.
  const committed = await ctx.committer.commit(
    taskId,
    (current) => {
      if (current.status !== 'approved' && current.status !== 'awaiting_token') {
        throw new InvalidTransitionError(`Task ${current.id} is ${current.status}; a token needs it approved.`);
      }
      if (current.status === 'awaiting_token' && current.wait?.sfnToken === sfnToken) return { result: undefined };
      const round = current.rounds + 1;
      return {
        write: write(
          current.status === 'approved' ? moveTo(current, { to: 'awaiting_token', by: SYSTEM, event: 'token-issued', at }) : when({ path: ['status'], equals: 'awaiting_token' }),
          set({ wait: { kind: 'token', sfnToken, since: at, round }, rounds: round, sentEmails: [...current.sentEmails.filter((stage) => stage !== 'token'), 'token'] }),
          when({ path: ['rounds'], equals: current.rounds }),
          stageResults && current.status === 'approved' ? write(set(stageResults), when({ path: ['attempt'], equals: task.attempt })) : {},
        ),
        result: undefined,
      };
    },
    { current: task },
  );
  task = committed.task;
  const again = !committed.applied && task.wait?.sfnToken === sfnToken && task.sentEmails.includes('token');
  await sendingOnce(ctx, task.id, 'token', committed.applied, async () => {
    if (again) await recordResend(ctx, task.id, 'token', task.wait?.round ?? task.rounds);
    await issueToken(ctx, task);
  });
}

/** Issues a token of the wait's round and emails its link to the requester. */
async function issueToken(ctx: Context, task: Task): Promise<void> {
  const taskType = ctx.deps.registry.taskType(task.type);
  const at = ctx.now();
  const validUntil = new Date(Date.parse(at) + taskType.tokenTtlSeconds * 1000).toISOString();
  const recipient = recipientOf(ctx, task);
  if (!recipient) throw new Error(`Task ${task.id} needs a token but none of its actions names a recipient.`);
  const secret = ctx.makeSecret();
  await ctx.deps.secrets.put({ hash: hashSecret(secret), kind: 'token', taskId: task.id, round: task.wait?.round ?? task.rounds, createdAt: at, validUntil });
  await ctx.mail.send({ task, taskType, stage: 'token', recipients: [recipient], context: { link: `${ctx.deps.config.publicUrl}/v1/tokens/${secret}`, validUntil } });
}

/**
 * A new token for a task waiting for one: the wait moves to a new round (older links stop working)
 * and a new link is emailed. `projectId`: a project admin reissues, for a task of that project only.
 */
export async function reissueToken(ctx: Context, taskId: string, by: Actor, ifMatch?: number, projectId?: string): Promise<Task> {
  const at = ctx.now();
  const { task } = await ctx.committer.commit(
    taskId,
    (current) => {
      if (current.status !== 'awaiting_token' || !current.wait || current.tokenUse) {
        throw new InvalidTransitionError(`Task ${current.id} is ${current.status}; only a task waiting for its token can get a new one.`, {
          extensions: { taskStatus: current.status },
        });
      }
      const round = current.rounds + 1;
      return {
        write: write(
          set({ wait: { ...current.wait, round }, rounds: round }),
          append('notes', { at, text: `Token reissued by ${by.id}.` }),
          when({ path: ['status'], equals: 'awaiting_token' }),
          when({ path: ['rounds'], equals: current.rounds }),
          when({ path: ['tokenUse'], exists: false }),
        ),
        result: undefined,
      };
    },
    { ...(ifMatch === undefined ? {} : { ifMatch }), ...(projectId === undefined ? {} : { projectId }) },
  );
  await issueToken(ctx, task);
  return task;
}

/** The merged schema of the token data the task's actions asked for. */
export function tokenSchema(ctx: Context, task: Task): z.ZodObject {
  const shapes = task.actions
    .filter((record) => record.needsToken)
    .map((record) => tokenSchemaOf(ctx.deps.registry.action(record.name), record.tokenSchemaKey)?.shape ?? {});
  return z.strictObject(Object.assign({}, ...shapes));
}

/** What a token needs, without changing anything. */
export async function viewToken(ctx: Context, secret: string): Promise<TokenView> {
  const { record, task } = await liveSecret(ctx, secret, 'token');
  return { task, taskType: ctx.deps.registry.taskType(task.type), validUntil: record.validUntil, schema: tokenSchema(ctx, task) };
}

/**
 * A type with `tokenRequiresAuth` takes its token from its requester only, signed in: 401 without a
 * bearer token, 403 for another account. Checked before anything is written, so the link stays
 * usable after a refusal.
 */
export function requireTokenSubmitter(view: Pick<TokenView, 'task' | 'taskType'>, identity: Identity | undefined): void {
  if (!view.taskType.tokenRequiresAuth) return;
  if (!identity) {
    throw new UnauthorizedError('This link needs the sign-in of the account that asked for it: submit it with that account\'s bearer token (Authorization: Bearer <JWT>).');
  }
  if (identity.sub !== view.task.createdBy?.sub) throw new ForbiddenError('This link is for the account that asked for it: sign in as that account to submit it.');
}
