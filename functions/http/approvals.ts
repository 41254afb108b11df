import type { RouteHandler } from './http-types.ts';
import { escapeHtml, messagePage, page } from './pages.ts';
import { parseWith, secretParam } from './parse.ts';
import { answer, ApprovalRequestSchema, LinkDecisionSchema } from './response-schemas.ts';
import { html } from './responses.ts';
import { DecisionBodySchema } from './schemas.ts';
import { approvalProgressView, approvalView } from './views.ts';

/** `GET /v1/approvals/{secret}`: shows the request and the choices. Changes nothing (mail scanners prefetch links). */
export const showApproval: RouteHandler = async ({ params, wantsHtml, app }) => {
  const { task, record } = await app.core.requests.viewApproval(secretParam(params.secret));
  const view = approvalView(task);
  const progress = task.approval ? approvalProgressView(task.approval) : undefined;
  const level = progress?.levels.find((known) => known.name === progress.level);
  if (!wantsHtml) return answer(ApprovalRequestSchema, 200, { task: view, approver: record.recipient, validUntil: record.validUntil, ...(progress ? { approval: progress } : {}) });
  const applying = progress?.levels.filter((known) => known.state !== 'skipped') ?? [];
  const levelLine = level
    ? `<p>Level ${applying.indexOf(level) + 1} of ${applying.length} (${escapeHtml(level.name)}): ${level.approvals} of ${level.quorum} approval${level.quorum === 1 ? '' : 's'} so far${level.due ? `, due ${escapeHtml(level.due)}` : ''}.</p>`
    : '';
  const actions = view.actions
    .map(
      (action) => `<dt>${escapeHtml(action.name)} ${action.valid ? '' : '<span class="error">(invalid)</span>'}</dt>
<dd><pre>${escapeHtml(JSON.stringify(action.data, null, 2))}</pre>${action.notes.map((note) => `<div class="note">${escapeHtml(note.text)}</div>`).join('')}</dd>`,
    )
    .join('');
  return html(
    200,
    page(
      `Approve ${view.type}?`,
      `<p>Task <code>${escapeHtml(view.id)}</code>, asked at ${escapeHtml(view.createdAt)}.</p>${levelLine}<dl>${actions}</dl>
<form method="post"><label for="reason">Reason (optional, sent to the requester if you reject)</label>
<textarea id="reason" name="reason" rows="2" maxlength="2000"></textarea>
<p><button name="decision" value="approve" type="submit">Approve</button>
<button name="decision" value="reject" type="submit">Reject</button></p></form>
<form method="post"><input type="hidden" name="decision" value="delegate">
<label for="to">Or hand your vote to (their email address; your link then stops working)</label>
<input id="to" name="to" type="email" required maxlength="254">
<label for="delegate-reason">Why (optional, they see it)</label>
<input id="delegate-reason" name="reason" maxlength="2000">
<p><button type="submit">Delegate</button></p></form>
<p class="note">This link works once, until ${escapeHtml(record.validUntil)}.</p>`,
    ),
  );
};

/** `POST /v1/approvals/{secret}`: casts the link's approver's vote, once, or hands it to `to` (`decision: delegate`). */
export const decideApproval: RouteHandler = async ({ params, body, wantsHtml, app }) => {
  const input = parseWith(DecisionBodySchema, body);
  const secret = secretParam(params.secret);
  if (input.decision === 'delegate') {
    const to = (input.to ?? '').toLowerCase();
    const task = await app.core.requests.delegateByLink(secret, to, input.reason || undefined);
    if (wantsHtml) return html(200, messagePage('Vote handed over', `Thank you. ${to} got a link to vote on task ${task.id} in your place; your link no longer works.`));
    return answer(LinkDecisionSchema, 200, { id: task.id, status: task.status, delegatedTo: to });
  }
  const task = await app.core.requests.decideByLink(secret, input.decision, input.reason || undefined);
  if (wantsHtml) return html(200, messagePage(`Task ${task.status}`, `Thank you. Task ${task.id} is now ${task.status}.`));
  return answer(LinkDecisionSchema, 200, { id: task.id, status: task.status });
};
