import * as z from 'zod';
import type { RouteHandler } from './http-types.ts';
import { escapeHtml, messagePage, page } from './pages.ts';
import { secretParam } from './parse.ts';
import { html, json } from './responses.ts';

const inputType = (name: string) => (/password/i.test(name) ? 'password' : 'text');

/** `GET /v1/tokens/{token}`: what the token needs, as JSON Schema, or an HTML form. Changes nothing. */
export const showToken: RouteHandler = async ({ params, wantsHtml, app }) => {
  const view = await app.core.requests.viewToken(secretParam(params.token));
  const schema = z.toJSONSchema(view.schema, { io: 'input' });
  if (!wantsHtml) {
    return json(200, { taskType: view.taskType.name, taskId: view.task.id, validUntil: view.validUntil, fields: Object.keys(view.schema.shape), schema });
  }
  const fields = Object.keys(view.schema.shape)
    .map(
      (name) =>
        `<p><label for="${escapeHtml(name)}">${escapeHtml(name)}</label><input id="${escapeHtml(name)}" name="${escapeHtml(name)}" type="${inputType(name)}" required autocomplete="${inputType(name) === 'password' ? 'new-password' : 'off'}"></p>`,
    )
    .join('');
  return html(
    200,
    page(
      view.taskType.description.split('.')[0] ?? view.taskType.name,
      `<form method="post">${fields}<p><button type="submit">Submit</button></p></form>
<p class="note">Task <code>${escapeHtml(view.task.id)}</code>. This link works once, until ${escapeHtml(view.validUntil)}.</p>`,
    ),
  );
};

/** `POST /v1/tokens/{token}`: submits the data; completes the task. A field error leaves the token usable. */
export const submitToken: RouteHandler = async ({ params, body, wantsHtml, app }) => {
  const task = await app.core.requests.submitToken(secretParam(params.token), body);
  if (wantsHtml) return html(200, messagePage('Done', `Thank you. Task ${task.id} is complete.`));
  return json(200, { id: task.id, status: task.status });
};
