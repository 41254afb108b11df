import * as z from 'zod';
import type { RouteHandler } from './http-types.ts';
import { escapeHtml, messagePage, page } from './pages.ts';
import { secretParam } from './parse.ts';
import { answer, TaskStatusRefSchema, TokenRequestSchema } from './response-schemas.ts';
import { html } from './responses.ts';

const inputType = (name: string) => (/password/i.test(name) ? 'password' : 'text');

/**
 * `GET /v1/tokens/{token}`: what the token needs, as JSON Schema (and whether its submit needs the
 * requester's sign-in), or an HTML form. Changes nothing. A token that needs a sign-in gets a page
 * that says so instead of a form: a browser following the link carries no bearer token.
 */
export const showToken: RouteHandler = async ({ params, wantsHtml, app }) => {
  const view = await app.core.requests.viewToken(secretParam(params.token));
  const schema = z.toJSONSchema(view.schema, { io: 'input' });
  const requiresSignIn = view.taskType.tokenRequiresAuth;
  if (!wantsHtml) {
    return answer(TokenRequestSchema, 200, { taskType: view.taskType.name, taskId: view.task.id, validUntil: view.validUntil, requiresSignIn, fields: Object.keys(view.schema.shape), schema });
  }
  if (requiresSignIn) {
    return html(
      200,
      messagePage(
        'Sign-in needed',
        // messagePage escapes the message.
        `This link works only for the account that asked for it, signed in: submit it from a signed-in client with that account's bearer token (POST, fields: ${Object.keys(view.schema.shape).join(', ')}). Task ${view.task.id}; the link works once, until ${view.validUntil}.`,
      ),
    );
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

/**
 * `POST /v1/tokens/{token}`: submits the data; completes the task. A field error leaves the token
 * usable. A public route: a bearer token, when sent, is verified and identifies the submitter, which
 * a task type with `tokenRequiresAuth` requires to be its requester (401 without, 403 for another).
 */
export const submitToken: RouteHandler = async ({ params, body, wantsHtml, identity, app }) => {
  const task = await app.core.requests.submitToken(secretParam(params.token), body, identity);
  if (wantsHtml) return html(200, messagePage('Done', `Thank you. Task ${task.id} is complete.`));
  return answer(TaskStatusRefSchema, 200, { id: task.id, status: task.status });
};
