import type { IdempotentAnswer, IdempotentRequest } from '#ports/idempotency';
import type { TaskQuery } from '#ports/task-store';
import * as admin from './admin.ts';
import { delegate } from './approval-delegation.ts';
import { type BulkDecision, decideMany, inbox, type InboxQuery, voterOf } from './approval-inbox.ts';
import { runApprovalSchedule } from './approval-schedule.ts';
import type { Decision } from './approval-votes.ts';
import { decide } from './approval.ts';
import { cancel } from './cancel.ts';
import { compensate } from './compensation.ts';
import { type Context, createContext } from './context.ts';
import { createTask, type CreateTaskOptions } from './create.ts';
import type { CoreDeps } from './deps.ts';
import { fail, type StepError } from './failure.ts';
import { idempotent } from './idempotency.ts';
import type { Actor, Identity } from './identity.ts';
import type { Client } from './limits.ts';
import { decideByLink, delegateByLink, viewApproval } from './links.ts';
import { type MailFeedback, recordMailFeedback } from './mail-feedback.ts';
import * as notifications from './notifications.ts';
import { resumeCompleted, startFromOutbox } from './outbox.ts';
import * as queries from './queries.ts';
import { reconcile, type ReconcileOptions } from './reconcile.ts';
import { operatorOf } from './scopes.ts';
import { complete, submitToken } from './submit.ts';
import { reissueToken, viewToken } from './token.ts';
import { awaitApprovalStep, awaitTokenStep } from './workflow-steps.ts';

/**
 * The core behind four small facades, one per kind of caller: requesters and approvers (HTTP, public
 * routes), the state machine's steps (one per Task state), admins, and reads. Each method is one
 * phase of the core.
 */
export function createCore(deps: CoreDeps) {
  return coreOf(createContext(deps));
}

/** The facades over a context the caller made (tests that also run one stage alone share it). */
export function coreOf(ctx: Context) {
  const requests = {
    createTask: (type: string, data: unknown, requester: Identity | undefined, client?: Client, options?: CreateTaskOptions) =>
      createTask(ctx, type, data, requester, client, options),
    idempotent: (request: IdempotentRequest, create: (id: string) => Promise<IdempotentAnswer>) => idempotent(ctx, request, create),
    viewApproval: (secret: string) => viewApproval(ctx, secret),
    decideByLink: (secret: string, decision: Decision, reason?: string) => decideByLink(ctx, secret, decision, reason),
    delegateByLink: (secret: string, to: string, reason?: string) => delegateByLink(ctx, secret, to, reason),
    viewToken: (secret: string) => viewToken(ctx, secret),
    submitToken: (secret: string, data: unknown, identity?: Identity) => submitToken(ctx, secret, data, identity),
  };
  const steps = {
    awaitApproval: (taskId: string, sfnToken: string) => awaitApprovalStep(ctx, taskId, sfnToken),
    awaitToken: (taskId: string, sfnToken: string) => awaitTokenStep(ctx, taskId, sfnToken),
    complete: (taskId: string) => complete(ctx, taskId),
    fail: (taskId: string, state: string, error: StepError, executionArn?: string) => fail(ctx, taskId, state, error, executionArn),
  };
  const operations = {
    updateData: (taskId: string, data: unknown, by: Actor, ifMatch?: number) => admin.updateData(ctx, taskId, data, by, ifMatch),
    cancel: (taskId: string, by: Actor, reason?: string, ifMatch?: number, projectId?: string) => cancel(ctx, taskId, by, reason, ifMatch, projectId === undefined ? {} : { projectId }),
    addNote: (taskId: string, by: Actor, text: string, ifMatch?: number) => admin.addNote(ctx, taskId, by, text, ifMatch),
    reissueToken: (taskId: string, by: Actor, ifMatch?: number, projectId?: string) => reissueToken(ctx, taskId, by, ifMatch, projectId),
    /** Who does a cancel or a token reissue: an admin (any task) or a project admin (their project's). */
    operatorOf: (identity: Identity | undefined) => operatorOf(ctx, identity),
    retry: (taskId: string, by: Actor, ifMatch?: number) => admin.retry(ctx, taskId, by, ifMatch),
    sweepExpiredTokens: () => queries.sweepExpiredTokens(ctx),
    acknowledge: (ids: readonly string[], by: Actor) => notifications.acknowledge(ctx, ids, by),
  };
  // Signed-in approvers: their vote at the open level, a hand-over, their inbox (approval-*.ts).
  const approvals = {
    vote: (taskId: string, identity: Identity, decision: Decision, reason?: string, ifMatch?: number) =>
      decide(ctx, taskId, { voter: voterOf(identity), actor: approverActor(identity), decision, via: 'api', ...(reason ? { reason } : {}), ...(ifMatch === undefined ? {} : { ifMatch }) }),
    delegate: (taskId: string, identity: Identity, to: string, reason?: string) => delegate(ctx, taskId, { from: voterOf(identity), actor: approverActor(identity), to, ...(reason ? { reason } : {}) }),
    inbox: (identity: Identity, query: InboxQuery) => inbox(ctx, identity, query),
    decideMany: (identity: Identity, decisions: readonly BulkDecision[]) => decideMany(ctx, identity, decisions),
  };
  const reads = {
    getTask: (id: string) => queries.getTask(ctx, id),
    getTaskFor: (id: string, identity: Identity | undefined) => queries.getTaskFor(ctx, id, identity),
    listTasks: (query: TaskQuery) => queries.listTasks(ctx, query),
    /** By role: admins every task, anyone else their own and their project's (core/scopes.ts). */
    listTasksFor: (identity: Identity | undefined, query: Omit<TaskQuery, 'scope'>) => queries.listTasksFor(ctx, identity, query),
    status: () => queries.status(ctx),
    listTokens: (limit: number, cursor?: string) => queries.listTokens(ctx, limit, cursor),
    listNotifications: (query: { acknowledged?: boolean; limit: number; cursor?: string }) => notifications.listNotifications(ctx, query),
    getNotification: (id: string) => notifications.getNotification(ctx, id),
  };
  // Background callers: the table stream's outbox and the scheduled reconciler (issue 11).
  const streams = {
    startExecution: (taskId: string, attempt: number) => startFromOutbox(ctx, taskId, attempt),
    /** Tells the execution of a task its token submit completed (if the submit died first). */
    resumeCompleted: (taskId: string, sfnToken: string) => resumeCompleted(ctx, taskId, sfnToken),
    /** Runs a pending compensation: `undone`, or `nothing-pending` when it is done already. */
    compensate: async (taskId: string): Promise<'undone' | 'nothing-pending'> => {
      const before = await ctx.deps.tasks.get(taskId);
      if (before?.compensation?.state !== 'pending') return 'nothing-pending';
      await compensate(ctx, taskId);
      return 'undone';
    },
    /** Tells the operators of a bounce or complaint SES reported for a task's email (functions/streams/mail-feedback.ts). */
    mailFeedback: (feedback: MailFeedback) => recordMailFeedback(ctx, feedback),
  };
  const schedules = {
    reconcile: (options?: ReconcileOptions) => reconcile(ctx, options),
    /** The approval policy's reminders and deadlines of one task (the reconciler runs it on every pending task). */
    approvalSchedule: async (taskId: string) => runApprovalSchedule(ctx, await ctx.committer.read(taskId)),
  };
  return { requests, steps, admin: operations, approvals, reads, streams, schedules, committer: ctx.committer };
}

/** Who a vote is written as: an admin as `admin`, anyone else as `approver`, by address (else account id). */
const approverActor = (identity: Identity): Actor => ({ kind: identity.roles.includes('admin') ? 'admin' : 'approver', id: identity.email ?? identity.sub });

export type Core = ReturnType<typeof coreOf>;
export type { Decision, StepError };
