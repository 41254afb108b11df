import * as z from 'zod';
import type { Task } from '#core/task';
import type { App } from '../app.ts';
import type { RouteHandler } from './http-types.ts';
import { approvalPage, decidedPage, delegatedPage } from './pages/approval-page.ts';
import type { ObjectSchema } from './pages/fields.ts';
import { parseWith, secretParam } from './parse.ts';
import { answer, ApprovalRequestSchema, LinkDecisionSchema } from './response-schemas.ts';
import { linkHtml } from './responses.ts';
import { DecisionBodySchema } from './schemas.ts';
import { approvalProgressView, approvalView } from './views.ts';

/** The task type's input as JSON Schema (its properties title the fields) and each action's description. */
function describe(app: App, task: Task): { inputSchema: ObjectSchema; actionDescriptions: Record<string, string> } {
  const taskType = app.registry.taskType(task.type);
  const actionDescriptions = Object.fromEntries(task.actions.map((action) => [action.name, app.registry.action(action.name).description]));
  return { inputSchema: z.toJSONSchema(app.registry.inputSchema(taskType), { io: 'input', unrepresentable: 'any' }) as ObjectSchema, actionDescriptions };
}

/** `GET /v1/approvals/{secret}`: shows the request and the choices. Changes nothing (mail scanners prefetch links). */
export const showApproval: RouteHandler = async ({ params, wantsHtml, app }) => {
  const { task, record } = await app.core.requests.viewApproval(secretParam(params.secret));
  const progress = task.approval ? approvalProgressView(task.approval) : undefined;
  if (!wantsHtml) return answer(ApprovalRequestSchema, 200, { task: approvalView(task), approver: record.recipient, validUntil: record.validUntil, ...(progress ? { approval: progress } : {}) });
  return linkHtml(200, approvalPage({ task, ...describe(app, task), validUntil: record.validUntil, progress }));
};

/**
 * `POST /v1/approvals/{secret}`: casts the link's approver's vote, once, or hands it to `to`
 * (`decision: delegate`). A browser gets a page of what happened and what comes next, for which
 * the link is read first (the level it votes at).
 */
export const decideApproval: RouteHandler = async ({ params, body, wantsHtml, app }) => {
  const input = parseWith(DecisionBodySchema, body);
  const secret = secretParam(params.secret);
  if (input.decision === 'delegate') {
    const to = (input.to ?? '').toLowerCase();
    const task = await app.core.requests.delegateByLink(secret, to, input.reason || undefined);
    if (wantsHtml) return linkHtml(200, delegatedPage(task, to));
    return answer(LinkDecisionSchema, 200, { id: task.id, status: task.status, delegatedTo: to });
  }
  const before = wantsHtml ? await app.core.requests.viewApproval(secret) : undefined;
  const task = await app.core.requests.decideByLink(secret, input.decision, input.reason || undefined);
  if (!wantsHtml) return answer(LinkDecisionSchema, 200, { id: task.id, status: task.status });
  const votedAt = before?.record.level === undefined ? undefined : task.approval?.levels[before.record.level]?.name;
  return linkHtml(200, decidedPage({ task, decision: input.decision, progress: task.approval ? approvalProgressView(task.approval) : undefined, votedAt }));
};
