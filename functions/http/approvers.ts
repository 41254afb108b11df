import { UnauthorizedError } from '#core/errors';
import type { Identity } from '#core/identity';
import type { Task } from '#core/task';
import type { RouteHandler } from './http-types.ts';
import { ifMatchOf, parseWith, taskIdParam } from './parse.ts';
import { answer, BulkResultsSchema, DelegatedSchema, InboxPageSchema, RejectAnswerSchema, VoteAnswerSchema, VoteQueuedSchema } from './response-schemas.ts';
import { BulkDecisionsBodySchema, DelegateBodySchema, EmptyBodySchema, InboxQuerySchema, RejectBodySchema } from './schemas.ts';
import { approvalProgressView } from './views.ts';

/**
 * The approver's routes: a vote on a task, handing it over, the inbox and its bulk decisions. Who
 * may vote is the task type's approval policy's business (the core answers 403 not-an-approver to
 * anyone its open level does not name); here only a signed-in caller is required.
 */

const signedIn = (identity: Identity | undefined): Identity => {
  if (!identity) throw new UnauthorizedError('This needs a bearer token.');
  return identity;
};

const etagOf = (task: Task) => `"${task.version}"`;

/** What a vote answers: the task's status and its approval's progress; 202 while the vote waits for the task's validation. */
function voteAnswer(task: Task) {
  if (task.status === 'pending' && task.queuedVote) {
    return answer(VoteQueuedSchema, 202, { id: task.id, status: task.status, detail: 'The task is still being validated; your vote is recorded and counts as soon as validation ends.' }, { etag: etagOf(task) });
  }
  return answer(
    VoteAnswerSchema,
    200,
    {
      id: task.id,
      status: task.status,
      ...(task.approvedBy ? { approvedBy: task.approvedBy, approvedAt: task.approvedAt } : {}),
      ...(task.approval ? { approval: approvalProgressView(task.approval) } : {}),
    },
    { etag: etagOf(task) },
  );
}

/** `POST /v1/tasks/{id}/approve`: the caller's vote at the level the approval is at. */
export const approveTask: RouteHandler = async ({ params, body, identity, headers, app }) => {
  const voter = signedIn(identity);
  parseWith(EmptyBodySchema, body);
  return voteAnswer(await app.core.approvals.vote(taskIdParam(params.id), voter, 'approve', undefined, ifMatchOf(headers)));
};

/** `POST /v1/tasks/{id}/reject`: the caller's reject ends the task; the reason is recorded and emailed to the requester. */
export const rejectTask: RouteHandler = async ({ params, body, identity, headers, app }) => {
  const voter = signedIn(identity);
  const { reason } = parseWith(RejectBodySchema, body);
  const task = await app.core.approvals.vote(taskIdParam(params.id), voter, 'reject', reason, ifMatchOf(headers));
  if (task.status === 'rejected') return answer(RejectAnswerSchema, 200, { id: task.id, status: task.status, reason, ...(task.approval ? { approval: approvalProgressView(task.approval) } : {}) }, { etag: etagOf(task) });
  return voteAnswer(task);
};

/** `POST /v1/tasks/{id}/delegate`: the caller's vote at the open level goes to `to`, who gets a link; the caller's link stops working. */
export const delegateTask: RouteHandler = async ({ params, body, identity, app }) => {
  const from = signedIn(identity);
  const { to, reason } = parseWith(DelegateBodySchema, body);
  const task = await app.core.approvals.delegate(taskIdParam(params.id), from, to, reason);
  return answer(DelegatedSchema, 200, { id: task.id, status: task.status, delegatedTo: to.toLowerCase(), ...(task.approval ? { approval: approvalProgressView(task.approval) } : {}) });
};

/** `GET /v1/inbox`: what waits for the caller's vote, newest first, with due dates and quorum progress. */
export const getInbox: RouteHandler = async ({ query, identity, app }) => {
  const caller = signedIn(identity);
  const filters = parseWith(InboxQuerySchema, query, 'query');
  const page = await app.core.approvals.inbox(caller, filters);
  return answer(InboxPageSchema, 200, { items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
};

/**
 * `POST /v1/inbox/decisions`: one vote per task, each on its own. 200 when all counted, 207 when
 * some did not (each result says which and why, as the single route would have answered it).
 */
export const postInboxDecisions: RouteHandler = async ({ body, identity, app }) => {
  const caller = signedIn(identity);
  const { decisions } = parseWith(BulkDecisionsBodySchema, body);
  const results = await app.core.approvals.decideMany(caller, decisions);
  const failed = results.filter((result) => !result.ok).length;
  return answer(BulkResultsSchema, failed === 0 ? 200 : 207, { results, succeeded: results.length - failed, failed });
};
