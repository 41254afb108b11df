import * as z from 'zod';
import { PasswordTokenSchema } from '#actions/shared-schemas';
import { defineTaskType } from '#core/task-type';
import type { Task } from '#core/task';
import type { ObjectSchema } from '#http/pages/fields';
import { tokenDonePage, tokenFormPage, tokenSignInPage } from '#http/pages/token-page';
import { InviteUserTokenSchemas } from '#actions/invite-user/schema';
import { taskTypes } from '#functions/task-types';

/** The token link's pages: fields labelled and limited from the token's JSON Schema, errors inline, texts for the reader. */
const typeNamed = (name: string) => taskTypes.find((taskType) => taskType.name === name) ?? defineTaskType({ name, description: 'x', actions: ['mark-done'], access: 'public', autoApprove: true });
const jsonSchema = (schema: z.ZodObject) => z.toJSONSchema(schema, { io: 'input' }) as ObjectSchema;
const signUpTask = (projectName: string) =>
  ({ id: 'T1', type: 'sign-up', status: 'awaiting_token', actions: [{ name: 'new-project-with-user', data: { email: 'ann@example.com', projectName } }] }) as unknown as Task;
const inviteTask = (mode: string) =>
  ({ id: 'T2', type: 'invite-user', status: 'awaiting_token', actions: [{ name: 'invite-user', data: { email: 'bob@example.com', roles: ['member', 'project_admin'] }, stored: { invitedBy: 'owner@example.com', projectName: 'demo', mode } }] }) as unknown as Task;
const VALID_UNTIL = '2030-01-02T03:04:05.000Z';

/** The one `<div class="field">` of a page, by its field's name. */
const fieldOf = (page: string, name: string) => new RegExp(`<div class="field">(?:(?!</div>).)*name="${name}"(?:(?!</div>).)*</div>`, 's').exec(page)?.[0];

describe('the token form', () => {
  it('labels the password and shows its limits from the schema before typing (required, minlength, maxlength, pattern)', () => {
    // Act
    const page = tokenFormPage({ task: signUpTask('demo'), taskType: typeNamed('sign-up'), validUntil: VALID_UNTIL, schema: jsonSchema(PasswordTokenSchema) });

    // Assess
    expect(fieldOf(page, 'password')).toBe(
      '<div class="field"><label for="field-password">Password</label><span class="hint" id="field-password-hint">At least 12 characters, at most 256.</span>' +
        '<input id="field-password" name="password" type="password" required minlength="12" maxlength="256" pattern="^\\P{Cc}*$" autocomplete="new-password" aria-describedby="field-password-hint"></div>',
    );
    expect(page).toContain('<h1>Choose your password for demo</h1>');
    expect(page).toContain('<p>Your sign-up was approved: the project &#34;demo&#34; and its owner account ann@example.com are waiting for you. Choose the password you will sign in with.</p>');
    expect(page).toContain('<button type="submit">Set my password</button>');
    expect(page).toContain('This link works once, until <time datetime="2030-01-02T03:04:05.000Z">2030-01-02 03:04 UTC</time>.');
    expect(page).toContain('<link rel="stylesheet" href="/console/console.css">');
    expect(page).not.toMatch(/<script|<style|style=/);
  });

  it('shows each error under its field (aria-invalid, aria-describedby) and a summary, never the password typed', () => {
    // Act
    const page = tokenFormPage({
      task: signUpTask('demo'),
      taskType: typeNamed('sign-up'),
      validUntil: VALID_UNTIL,
      schema: jsonSchema(PasswordTokenSchema),
      values: { password: 'short' },
      errors: [{ path: 'password', message: 'Use at least 12 characters' }],
    });

    // Assess
    expect(fieldOf(page, 'password')).toBe(
      '<div class="field"><label for="field-password">Password</label><span class="hint" id="field-password-hint">At least 12 characters, at most 256.</span>' +
        '<input id="field-password" name="password" type="password" required minlength="12" maxlength="256" pattern="^\\P{Cc}*$" autocomplete="new-password" aria-describedby="field-password-hint field-password-error" aria-invalid="true">' +
        '<span class="field-error" id="field-password-error">Use at least 12 characters</span></div>',
    );
    expect(page).toContain('<div class="notice bad" role="alert"><p>Nothing was changed: one field needs another look. The link still works.</p><ul><li><a href="#field-password">Password: Use at least 12 characters</a></li></ul></div>');
    expect(page).not.toContain('short');
  });

  it('keeps the other values posted, escaped, and lists an error of no field in the summary', () => {
    // Prepare
    const schema = jsonSchema(z.object({ nickname: z.string().max(20), password: PasswordTokenSchema.shape.password }));

    // Act
    const page = tokenFormPage({
      task: signUpTask('demo'),
      taskType: typeNamed('sign-up'),
      validUntil: VALID_UNTIL,
      schema,
      values: { nickname: '"><script>x</script>', password: 'secret-secret-1' },
      errors: [{ path: 'extra', message: 'Unknown field' }],
    });

    // Assess
    expect(fieldOf(page, 'nickname')).toBe(
      '<div class="field"><label for="field-nickname">Nickname</label><span class="hint" id="field-nickname-hint">At most 20 characters.</span>' +
        '<input id="field-nickname" name="nickname" type="text" required maxlength="20" autocomplete="off" value="&#34;&#62;&#60;script&#62;x&#60;/script&#62;" aria-describedby="field-nickname-hint"></div>',
    );
    expect(page).toContain('<li>extra: Unknown field</li>');
    expect(page).not.toContain('secret-secret-1');
  });

  it('asks a confirmation with a checkbox labelled for the invitee, kept checked when posted', () => {
    // Act
    const page = tokenFormPage({ task: inviteTask('existing-account'), taskType: typeNamed('invite-user'), validUntil: VALID_UNTIL, schema: jsonSchema(InviteUserTokenSchemas.confirm), values: { confirm: 'yes' } });

    // Assess
    expect(fieldOf(page, 'confirm')).toBe('<div class="field"><label class="check"><input type="checkbox" id="field-confirm" name="confirm" value="yes" required checked> <span>Yes, add my account bob@example.com to demo</span></label></div>');
    expect(page).toContain('<h1>Join demo on Assent</h1>');
    expect(page).toContain('<p>owner@example.com invites you to the project &#34;demo&#34; with the roles: member, project_admin. Confirm that your account bob@example.com joins the project.</p>');
    expect(page).toContain('<button type="submit">Join the project</button>');
  });

  it('asks a new invitee for a password instead, in words for them', () => {
    // Act
    const page = tokenFormPage({ task: inviteTask('new-account'), taskType: typeNamed('invite-user'), validUntil: VALID_UNTIL, schema: jsonSchema(InviteUserTokenSchemas.password) });

    // Assess
    expect(page).toContain('with the roles: member, project_admin. Choose a password for your new account bob@example.com.</p>');
    expect(page).toContain('<button type="submit">Create my account</button>');
    expect(fieldOf(page, 'password')).toContain('type="password" required minlength="12"');
  });

  it('escapes everything that comes from the task: the heading, the intro, the id', () => {
    // Act
    const page = tokenFormPage({ task: { ...signUpTask('<b>x</b>'), id: '<i>' } as Task, taskType: typeNamed('sign-up'), validUntil: VALID_UNTIL, schema: jsonSchema(PasswordTokenSchema) });

    // Assess
    expect(page).toContain('<title>Choose your password for &#60;b&#62;x&#60;/b&#62; · Assent</title>');
    expect(page).toContain('<h1>Choose your password for &#60;b&#62;x&#60;/b&#62;</h1>');
    expect(page).toContain('Task <code>&#60;i&#62;</code>');
    expect(page).not.toMatch(/<b>|<i>/);
  });

  it('heads a type without tokenPage with the first sentence of its description, as before', () => {
    // Prepare
    const plain = defineTaskType({ name: 'plain', description: 'Do a thing. Then more.', actions: ['mark-done'], access: 'public', autoApprove: true });

    // Act
    const page = tokenFormPage({ task: signUpTask('demo'), taskType: plain, validUntil: VALID_UNTIL, schema: jsonSchema(PasswordTokenSchema) });

    // Assess
    expect(page).toContain('<h1>Do a thing</h1>');
    expect(page).toContain('<button type="submit">Submit</button>');
  });
});

describe('the token pages around the form', () => {
  it('says what a link that needs a sign-in is for and how to submit it, with no form', () => {
    // Prepare
    const task = { id: 'T3', type: 'update-email', actions: [{ name: 'update-user-email', data: { newEmail: 'new@example.com' }, stored: { currentEmail: 'old@example.com' } }] } as unknown as Task;

    // Act
    const page = tokenSignInPage({ task, taskType: typeNamed('update-email'), validUntil: VALID_UNTIL, schema: jsonSchema(z.object({ confirm: z.literal(true) })), secret: 'S'.repeat(43) });

    // Assess
    expect(page).toContain('<h1>Confirm your new email address</h1>');
    expect(page).toContain('<p>Someone asked to move the Assent account old@example.com to this address, new@example.com.</p>');
    expect(page).toContain('<h2>Sign-in needed</h2>');
    expect(page).toContain('(fields: confirm)');
    expect(page).toContain(`<a class="button" href="/console#/confirm/${'S'.repeat(43)}">Sign in and confirm in the console</a>`);
    expect(page).not.toContain('<form');
  });

  it('says after a submit what happened and what to do next', () => {
    // Act
    const page = tokenDonePage(signUpTask('demo'), typeNamed('sign-up'));

    // Assess
    expect(page).toContain('<h1>Your password is set</h1>');
    expect(page).toContain('<div class="notice good" role="status"><p>Your account ann@example.com is ready and the project &#34;demo&#34; is yours. Sign in with that address and the password you just chose.</p></div>');
    expect(page).toContain('<h2>What to do next</h2><p>This link has now been used and no longer works.</p><p>You can sign in to <a href="/console">the Assent console</a>.</p>');
  });
});
