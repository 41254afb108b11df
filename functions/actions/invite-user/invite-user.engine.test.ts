import { ForbiddenError, UnauthorizedError } from '#core/errors';
import { engineWithFakes, fieldErrorsOf, identity, linkSecret, notesOf } from '../../../test/support/engine-harness.ts';

/**
 * invite-user through the engine: what needs more than the action (its task type's access, the
 * engine's answer to a refusal, the emails and the token form). The action's own rules are in
 * invite-user.test.ts.
 */
const OWNER = 'olga@example.com';
const PROJECT = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };

async function setup() {
  const harness = engineWithFakes();
  await harness.directory.createProject(PROJECT);
  await harness.directory.createUser({ email: OWNER, projectId: PROJECT.id, roles: ['project_admin'], enabled: true, hasPassword: true, createdAt: 'x' });
  return harness;
}

type Harness = Awaited<ReturnType<typeof setup>>;

/** An invitation by `requester`, through preApprove, postApprove and the token email to the invitee. */
async function toToken({ engine, mailer }: Harness, data: unknown, requester = identity(OWNER)) {
  const { id } = await engine.createTask('invite-user', data, requester);
  await engine.preApprove(id);
  await engine.postApprove(id);
  await engine.awaitToken(id, 'sfn-token-1');
  const mail = mailer.sent.filter((email) => email.to.includes('ivy@example.com')).at(-1);
  return { id, mail, token: linkSecret(mail?.text) };
}

describe('invite-user through the engine', () => {
  it('is for project admins: refuses a request without a bearer token (401) or without the project_admin role (403)', async () => {
    const { engine } = await setup();
    const data = { email: 'ivy@example.com', roles: ['member'] };

    const anonymous = engine.createTask('invite-user', data, undefined);
    const member = engine.createTask('invite-user', data, identity(OWNER, ['member']));

    await expect(anonymous).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(anonymous).rejects.toMatchObject({ status: 401 });
    await expect(member).rejects.toBeInstanceOf(ForbiddenError);
    await expect(member).rejects.toMatchObject({ status: 403 });
  });

  it('auto-rejects a refused invitation with its note as the reason, and emails no one', async () => {
    const harness = await setup();
    const { id } = await harness.engine.createTask('invite-user', { email: 'ivy@example.com', roles: ['member'] }, identity('ghost@example.com'));

    const decision = await harness.engine.preApprove(id);

    const task = await harness.engine.getTask(id);
    expect(decision).toStrictEqual({ autoApprove: false });
    expect([task.status, task.history.at(-1)?.event, task.history.at(-1)?.reason]).toStrictEqual([
      'rejected',
      'auto-rejected',
      'Invalid: invite-user (No account for the requester ghost@example.com.)',
    ]);
    expect(harness.mailer.sent).toStrictEqual([]);
  });

  it('emails a new invitee a password link showing only the password, and welcomes them once it is set', async () => {
    // Prepare
    const harness = await setup();
    // Act
    const { id, mail, token } = await toToken(harness, { email: 'ivy@example.com', roles: ['member'] });
    const form = await harness.engine.viewToken(token);
    const done = await harness.engine.submitToken(token, { password: 'correct horse battery' });
    await harness.engine.complete(id);
    // Assess
    expect(mail?.subject).toBe('Join apollo on Assent');
    expect(mail?.text).toBe(
      `olga@example.com invites you to the project "apollo" on Assent, with the roles: member.\n\n` +
        `Choose a password for your new account ivy@example.com here (the link works once, until 2026-11-26T10:00:00.000Z):\n\n` +
        `https://api.example.com/v1/tokens/${token}\n\n` +
        `If you did not expect this invitation, ignore this email: nothing changes.\n\nTask: ${id}\n`,
    );
    expect(Object.keys(form.schema.shape)).toStrictEqual(['password']);
    expect(done.status).toBe('completed');
    expect(notesOf(await harness.engine.getTask(id)).slice(-1)).toStrictEqual(['Password set; account ivy@example.com enabled.']);
    const welcome = harness.mailer.sent.filter((email) => email.to.includes('ivy@example.com')).at(-1);
    expect([welcome?.subject, welcome?.text]).toStrictEqual([
      'Welcome to apollo',
      `Your account ivy@example.com is a member of the project "apollo", with the roles: member.\n\nTask: ${id}\n`,
    ]);
  });

  it('refuses a password token that sends the confirmation field instead, as field errors, and keeps the token usable', async () => {
    const harness = await setup();
    const { token } = await toToken(harness, { email: 'ivy@example.com', roles: ['member'] });

    const error = await harness.engine.submitToken(token, { confirm: 'yes' }).catch((caught: unknown) => caught);

    expect(fieldErrorsOf(error)).toStrictEqual([
      { path: 'password', message: 'Required' },
      { path: 'confirm', message: 'Unknown field' },
    ]);
    expect((await harness.engine.viewToken(token)).task.status).toBe('awaiting_token');
  });

  it('emails an existing account a link to confirm', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'ivy@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, hasPassword: true, createdAt: 'x' });

    const { mail, token } = await toToken(harness, { email: 'ivy@example.com', roles: ['member', 'project_admin'] });

    expect(mail?.text).toContain('Confirm that your account ivy@example.com joins the project here');
    expect(Object.keys((await harness.engine.viewToken(token)).schema.shape)).toStrictEqual(['confirm']);
  });
});
