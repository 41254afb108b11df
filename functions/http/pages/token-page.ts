/**
 * The page of an emailed token link: a form whose fields are labelled and limited from the token's
 * schema (as JSON Schema), written for its reader by the task type's `tokenPage`; the same form
 * again with each error under its field; and what a successful submit did.
 */
import type { FieldError } from '#core/errors';
import type { TaskType } from '#core/task-type';
import type { Task } from '#core/task';
import { renderTemplate } from '#core/template';
import { type ObjectSchema, inputType, isConfirmation, labelOf, limitAttributes, limitsInWords, type PropertySchema } from './fields.ts';
import { escapeHtml, linkPage, linkTo, messageLinkPage, when } from './layout.ts';

export interface TokenPageInput {
  readonly task: Task;
  readonly taskType: TaskType;
  readonly validUntil: string;
  /** The token's schema as JSON Schema (`z.toJSONSchema(view.schema, { io: 'input' })`). */
  readonly schema: ObjectSchema;
}

export interface TokenFormInput extends TokenPageInput {
  /** What was posted, shown again (never a password). */
  readonly values?: Readonly<Record<string, unknown>>;
  /** The field errors of the last submit (ValidationError's), each shown under its field. */
  readonly errors?: readonly FieldError[];
}

/** A `tokenPage` text of the task type, rendered as text (the page escapes it). */
function text(source: string | undefined, task: Task, taskType: TaskType): string | undefined {
  if (source === undefined) return undefined;
  return renderTemplate(source, { task, taskId: task.id, taskType: taskType.name }, { autoescape: false }).trim();
}

/** The heading: the type's `tokenPage.title`, else the first sentence of its description. */
export const tokenPageTitle = (task: Task, taskType: TaskType): string =>
  text(taskType.tokenPage?.title, task, taskType) ?? (taskType.description.split('.')[0] || taskType.name);

const fieldId = (name: string) => `field-${name}`;
const CHECKED = new Set<unknown>([true, 'true', 'on', 'yes']);

function fieldHtml(name: string, property: PropertySchema, input: TokenFormInput, error: FieldError | undefined): string {
  const id = fieldId(name);
  const required = input.schema.required?.includes(name) ?? false;
  const hint = property.description ?? (isConfirmation(property) ? undefined : limitsInWords(property));
  const described = [hint ? `${id}-hint` : undefined, error ? `${id}-error` : undefined].filter(Boolean).join(' ');
  const aria = `${described ? ` aria-describedby="${escapeHtml(described)}"` : ''}${error ? ' aria-invalid="true"' : ''}`;
  const hintHtml = hint ? `<span class="hint" id="${escapeHtml(id)}-hint">${escapeHtml(hint)}</span>` : '';
  const errorHtml = error ? `<span class="field-error" id="${escapeHtml(id)}-error">${escapeHtml(error.message)}</span>` : '';
  const posted = input.values?.[name];
  if (isConfirmation(property)) {
    const label = text(input.taskType.tokenPage?.confirm, input.task, input.taskType) ?? labelOf(input.schema, name);
    return `<div class="field"><label class="check"><input type="checkbox" id="${escapeHtml(id)}" name="${escapeHtml(name)}" value="yes"${required ? ' required' : ''}${CHECKED.has(posted) ? ' checked' : ''}${aria}> <span>${escapeHtml(label)}</span></label>${hintHtml}${errorHtml}</div>`;
  }
  const type = inputType(name, property);
  const autocomplete = type === 'password' ? 'new-password' : type === 'email' ? 'email' : 'off';
  const value = type !== 'password' && typeof posted === 'string' && posted !== '' ? ` value="${escapeHtml(posted)}"` : '';
  const limits = limitAttributes(name, property, required);
  return `<div class="field"><label for="${escapeHtml(id)}">${escapeHtml(labelOf(input.schema, name))}</label>${hintHtml}<input id="${escapeHtml(id)}" name="${escapeHtml(name)}" type="${type}"${limits ? ` ${limits}` : ''} autocomplete="${autocomplete}"${value}${aria}>${errorHtml}</div>`;
}

/** The errors no field shows (an unknown field, the body as a whole), and a summary linking to each field's. */
function errorSummary(input: TokenFormInput, names: readonly string[]): string {
  const errors = input.errors ?? [];
  if (errors.length === 0) return '';
  const items = errors.map((error) =>
    names.includes(error.path)
      ? `<li><a href="#${escapeHtml(fieldId(error.path))}">${escapeHtml(labelOf(input.schema, error.path))}: ${escapeHtml(error.message)}</a></li>`
      : `<li>${escapeHtml(error.path === '(body)' ? error.message : `${error.path}: ${error.message}`)}</li>`,
  );
  return `<div class="notice bad" role="alert"><p>Nothing was changed: ${errors.length === 1 ? 'one field needs' : `${errors.length} fields need`} another look. The link still works.</p><ul>${items.join('')}</ul></div>`;
}

/** The token's form, empty or with the last submit's values and errors. */
export function tokenFormPage(input: TokenFormInput): string {
  const { task, taskType } = input;
  const properties = input.schema.properties ?? {};
  const names = Object.keys(properties);
  const intro = text(taskType.tokenPage?.intro, task, taskType);
  const fields = Object.entries(properties)
    .map(([name, property]) => fieldHtml(name, property, input, input.errors?.find((error) => error.path === name)))
    .join('');
  const submit = text(taskType.tokenPage?.submit, task, taskType) ?? 'Submit';
  return linkPage({
    title: tokenPageTitle(task, taskType),
    body: `${errorSummary(input, names)}${intro ? `<p>${escapeHtml(intro)}</p>` : ''}
<form method="post">${fields}<div class="actions"><button type="submit">${escapeHtml(submit)}</button></div></form>
<p class="note">This link works once, until ${when(input.validUntil)}. Task <code>${escapeHtml(task.id)}</code>.</p>`,
  });
}

/**
 * A token only its requester may submit, signed in (`tokenRequiresAuth`): a browser following the
 * link carries no sign-in, so the page says what the link is for and how to submit it instead of
 * showing a form that would be refused.
 */
export function tokenSignInPage(input: TokenPageInput & { readonly secret: string }): string {
  const { task, taskType } = input;
  // The console reads the secret from its URL's fragment, which browsers never send to a server.
  const consoleLink = `/console#/confirm/${input.secret}`;
  const intro = text(taskType.tokenPage?.intro, task, taskType);
  const fields = Object.keys(input.schema.properties ?? {});
  return linkPage({
    title: tokenPageTitle(task, taskType),
    body: `${intro ? `<p>${escapeHtml(intro)}</p>` : ''}<h2>Sign-in needed</h2><div class="notice" role="status"><p>This link works only for the account that asked for it, signed in, so it cannot be used from this page: a browser following an emailed link carries no sign-in.</p></div>
<h2>What to do next</h2><p><a class="button" href="${escapeHtml(consoleLink)}">Sign in and confirm in the console</a></p>
<p class="note">Or submit it from a client signed in as that account: <code>POST</code> this link with the account's bearer token (fields: ${escapeHtml(fields.join(', '))}).</p>
<p>If you did not ask for this, ignore the email: nothing changes.</p>
<p class="note">This link works once, until ${when(input.validUntil)}. Task <code>${escapeHtml(task.id)}</code>.</p>`,
  });
}

/** What a successful submit did, and what to do next (the type's `tokenPage.done`). */
export function tokenDonePage(task: Task, taskType: TaskType): string {
  const title = text(taskType.tokenPage?.doneTitle, task, taskType) ?? 'Done';
  const done = text(taskType.tokenPage?.done, task, taskType) ?? `Thank you. Task ${task.id} is complete.`;
  return messageLinkPage(title, 'good', [done], ['This link has now been used and no longer works.', { html: `You can sign in to ${linkTo('/console', 'the Assent console').html}.` }]);
}
