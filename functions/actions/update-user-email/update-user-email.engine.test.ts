import { ForbiddenError, UnauthorizedError } from '#core/errors';
import { engineWithFakes, identity, linkSecret } from '../../../test/support/engine-harness.ts';
import { expectError } from '../../../test/support/expect-error.ts';

/**
 * update-email through the engine: its task type's access and its emails, which go to the NEW
 * address only. The action's own rules are in update-user-email.test.ts.
 */
const OLD = 'una@example.com';
const NEW = 'una@new.example.com';

async function setup() {
  const harness = engineWithFakes();
  await harness.directory.createUser({ email: OLD, projectId: 'p-apollo', roles: ['member'], enabled: true, hasPassword: true, createdAt: '2026-11-01T00:00:00.000Z' });
  return harness;
}

describe('update-email through the engine', () => {
  it('refuses a request without a bearer token (401)', async () => {
    const { engine } = await setup();

    const attempt = engine.createTask('update-email', { newEmail: NEW }, undefined);

    await expect(attempt).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(attempt).rejects.toMatchObject({ status: 401 });
  });

  it('sends the confirmation link to the new address only, and tells both addresses once moved, each in an email of its own', async () => {
    // Prepare
    const { engine, mailer } = await setup();
    const { id } = await engine.createTask('update-email', { newEmail: NEW }, identity(OLD, ['member']));
    // Act
    await engine.preApprove(id);
    const post = await engine.postApprove(id);
    await engine.awaitToken(id, 'sfn-token-1');
    const mail = mailer.sent.filter((email) => email.to.includes(NEW)).at(-1);
    const token = linkSecret(mail?.text);
    const done = await engine.submitToken(token, { confirm: 'yes' }, identity(OLD, ['member']));
    await engine.complete(id);
    // Assess
    expect(post).toStrictEqual({ tokenRequired: true });
    expect([mail?.to, mail?.subject]).toStrictEqual([[NEW], 'Confirm your new email address']);
    expect(mail?.text).toBe(
      'Someone asked to move the Assent account una@example.com to this address, una@new.example.com.\n' +
        'If it was you, confirm it signed in as una@example.com: POST this link with that\n' +
        "account's bearer token (the link works once, until 2026-11-24T10:00:00.000Z; opened without your sign-in it\n" +
        'only says so):\n\n' +
        `https://api.example.com/v1/tokens/${token}\n\nIf it was not you, ignore this email: nothing changes.\n\nTask: ${id}\n`,
    );
    expect(done.status).toBe('completed');
    const text = 'Your Assent account now uses una@new.example.com instead of una@example.com.\n' + `Sign in with the new address from now on; your password is unchanged.\n\nTask: ${id}\n`;
    // The old address hears of the move only once it is done.
    expect(mailer.sent.filter((email) => email.to.includes(OLD)).map((email) => [email.to, email.subject, email.text])).toStrictEqual([[[OLD], 'Your email address was changed', text]]);
    expect(mailer.sent.slice(-2).map((email) => [email.to, email.subject, email.text])).toStrictEqual([
      [[NEW], 'Your email address was changed', text],
      [[OLD], 'Your email address was changed', text],
    ]);
  });

  it('takes the confirmation only from the requester signed in: 401 without a bearer token, 403 for another account, and the link still works after both', async () => {
    // Prepare: a stranger at a mistyped new address reads the link.
    const { engine, mailer, directory } = await setup();
    const { id } = await engine.createTask('update-email', { newEmail: NEW }, identity(OLD, ['member']));
    await engine.preApprove(id);
    await engine.postApprove(id);
    await engine.awaitToken(id, 'sfn-token-1');
    const token = linkSecret(mailer.sent.filter((email) => email.to.includes(NEW)).at(-1)?.text);

    // Act 1: nobody signed in, then someone else signed in.
    const anonymous = engine.submitToken(token, { confirm: 'yes' });
    const stranger = engine.submitToken(token, { confirm: 'yes' }, identity(NEW, ['member']));

    // Assess 1
    await expectError(anonymous, UnauthorizedError, "This link needs the sign-in of the account that asked for it: submit it with that account's bearer token (Authorization: Bearer <JWT>).");
    await expectError(stranger, ForbiddenError, 'This link is for the account that asked for it: sign in as that account to submit it.');
    expect((await engine.getTask(id)).status).toBe('awaiting_token');

    // Act 2: the requester, with an access token (no email claim: the check is on `sub`).
    const done = await engine.submitToken(token, { confirm: 'yes' }, { sub: `sub-${OLD}`, roles: ['member'] });

    // Assess 2
    expect(done.status).toBe('completed');
    expect(await directory.findUser(NEW)).toMatchObject({ email: NEW, previousEmail: OLD });
  });
});
