import type { RouteHandler } from './http-types.ts';
import { escapeHtml, messagePage, page } from './pages.ts';
import { parseWith, secretParam } from './parse.ts';
import { html, json } from './responses.ts';
import { DecisionBodySchema } from './schemas.ts';
import { approvalView } from './views.ts';

/** `GET /v1/approvals/{secret}`: shows the request and the choices. Changes nothing (mail scanners prefetch links). */
export const showApproval: RouteHandler = async ({ params, wantsHtml, app }) => {
  const { task, record } = await app.core.requests.viewApproval(secretParam(params.secret));
  const view = approvalView(task);
  if (!wantsHtml) return json(200, { task: view, approver: record.recipient, validUntil: record.validUntil });
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
      `<p>Task <code>${escapeHtml(view.id)}</code>, asked at ${escapeHtml(view.createdAt)}.</p><dl>${actions}</dl>
<form method="post"><label for="reason">Reason (optional, sent to the requester if you reject)</label>
<textarea id="reason" name="reason" rows="2" maxlength="2000"></textarea>
<p><button name="decision" value="approve" type="submit">Approve</button>
<button name="decision" value="reject" type="submit">Reject</button></p></form>
<p class="note">This link works once, until ${escapeHtml(record.validUntil)}.</p>`,
    ),
  );
};

/** `POST /v1/approvals/{secret}`: decides, once. */
export const decideApproval: RouteHandler = async ({ params, body, wantsHtml, app }) => {
  const input = parseWith(DecisionBodySchema, body);
  const task = await app.core.requests.decideByLink(secretParam(params.secret), input.decision, input.reason || undefined);
  if (wantsHtml) return html(200, messagePage(`Task ${task.status}`, `Thank you. Task ${task.id} is now ${task.status}.`));
  return json(200, { id: task.id, status: task.status });
};
