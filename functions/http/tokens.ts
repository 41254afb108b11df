import * as z from 'zod';
import { ValidationError } from '#core/errors';
import type { TokenView } from '#core/token';
import type { RouteHandler } from './http-types.ts';
import type { ObjectSchema } from './pages/fields.ts';
import { tokenDonePage, tokenFormPage, tokenSignInPage } from './pages/token-page.ts';
import { secretParam } from './parse.ts';
import { answer, TaskStatusRefSchema, TokenRequestSchema } from './response-schemas.ts';
import { linkHtml } from './responses.ts';

const jsonSchemaOf = (view: TokenView) => z.toJSONSchema(view.schema, { io: 'input' });

/** What the token's pages need of its view. */
const pageInput = (view: TokenView) => ({ task: view.task, taskType: view.taskType, validUntil: view.validUntil, schema: jsonSchemaOf(view) as ObjectSchema });

/**
 * `GET /v1/tokens/{token}`: what the token needs, as JSON Schema (and whether its submit needs the
 * requester's sign-in), or an HTML form. Changes nothing. A token that needs a sign-in gets a page
 * that says so instead of a form: a browser following the link carries no bearer token.
 */
export const showToken: RouteHandler = async ({ params, wantsHtml, app }) => {
  const secret = secretParam(params.token);
  const view = await app.core.requests.viewToken(secret);
  const requiresSignIn = view.taskType.tokenRequiresAuth;
  if (!wantsHtml) {
    return answer(TokenRequestSchema, 200, { taskType: view.taskType.name, taskId: view.task.id, validUntil: view.validUntil, requiresSignIn, fields: Object.keys(view.schema.shape), schema: jsonSchemaOf(view) });
  }
  return linkHtml(200, requiresSignIn ? tokenSignInPage({ ...pageInput(view), secret }) : tokenFormPage(pageInput(view)));
};

/**
 * `POST /v1/tokens/{token}`: submits the data; completes the task. A field error leaves the token
 * usable; a browser then gets the same form again (400), each error under its field, the values
 * kept but passwords. A public route: a bearer token, when sent, is verified and identifies the
 * submitter, which a task type with `tokenRequiresAuth` requires to be its requester (401 without,
 * 403 for another).
 */
export const submitToken: RouteHandler = async ({ params, body, wantsHtml, identity, app }) => {
  const secret = secretParam(params.token);
  try {
    const task = await app.core.requests.submitToken(secret, body, identity);
    if (wantsHtml) return linkHtml(200, tokenDonePage(task, app.registry.taskType(task.type)));
    return answer(TaskStatusRefSchema, 200, { id: task.id, status: task.status });
  } catch (error) {
    if (!wantsHtml || !(error instanceof ValidationError)) throw error;
    const view = await app.core.requests.viewToken(secret);
    const values = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    return linkHtml(400, tokenFormPage({ ...pageInput(view), values, errors: error.errors }));
  }
};
