import { InvalidTaskError, UnauthorizedError, ValidationError } from '#core/errors';
import { engineWithFakes, identity, linkSecret, notesOf } from '../../../test/support/engine-harness.ts';

const OLD = 'una@example.com';
const NEW = 'una@new.example.com';
const ACCOUNT = { email: OLD, projectId: 'p-apollo', roles: ['member'], enabled: true, passwordHash: 'scrypt$hash', createdAt: '2026-11-01T00:00:00.000Z' };

async function setup() {
  const harness = engineWithFakes();
  await harness.directory.createUser(ACCOUNT);
  return harness;
}

type Harness = Awaited<ReturnType<typeof setup>>;

async function request({ engine }: Harness, data: unknown, requester = identity(OLD, ['member'])) {
  const task = await engine.createTask('update-email', data, requester);
  const decision = await engine.preApprove(task.id);
  return { id: task.id, decision, task: await engine.getTask(task.id) };
}

/** postApprove, the token wait, and the token emailed to the new address. */
async function toToken({ engine, mailer }: Harness, id: string) {
  const post = await engine.postApprove(id);
  await engine.awaitToken(id, 'sfn-token-1');
  const mail = mailer.sent.filter((email) => email.to.includes(NEW)).at(-1);
  return { post, mail, token: linkSecret(mail?.text) };
}

describe('update-email input and access', () => {
  it('refuses a new address that is not an email address', async () => {
    const { engine } = await setup();

    const attempt = engine.createTask('update-email', { newEmail: 'nope' }, identity(OLD, ['member']));

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ errors: [{ path: 'data.newEmail', message: 'Must be an email address' }] });
  });

  it('refuses a request without a bearer token', async () => {
    const { engine } = await setup();
    await expect(engine.createTask('update-email', { newEmail: NEW }, undefined)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('update-email preApprove: named validation steps', () => {
  it('passes for an existing account moving to a free address, and auto-approves', async () => {
    // Prepare
    const harness = await setup();
    // Act
    const { decision, task } = await request(harness, { newEmail: 'Una@New.Example.com' });
    // Assess
    expect(decision).toStrictEqual({ autoApprove: true });
    expect(task.actions[0]).toMatchObject({ data: { newEmail: NEW }, valid: true, autoApprove: true, stored: { currentEmail: OLD } });
    expect(notesOf(task)).toStrictEqual([
      'The requester\'s current address is una@example.com.',
      'Account una@example.com exists.',
      'The address changes to una@new.example.com.',
      'una@new.example.com is free.',
    ]);
  });

  it.each([
    ['the request carries no email claim', identity(undefined, ['member']), { newEmail: NEW }, 'The request carries no email claim: there is no current address to change.'],
    ['the requester has no account', identity('ghost@example.com', ['member']), { newEmail: NEW }, 'No account for ghost@example.com.'],
    ['the new address is the current one', identity(OLD, ['member']), { newEmail: OLD }, 'The account already uses una@example.com.'],
  ])('fails (auto-rejected) when %s', async (_why, requester, data, lastNote) => {
    const harness = await setup();

    const { decision, task } = await request(harness, data, requester);

    expect(decision).toStrictEqual({ autoApprove: false });
    expect(task.status).toBe('rejected');
    expect(notesOf(task).at(-1)).toBe(lastNote);
    expect(harness.mailer.sent).toStrictEqual([]);
  });

  it('fails (auto-rejected) when the new address is taken', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: NEW, roles: [], enabled: true, createdAt: 'x' });

    const { task } = await request(harness, { newEmail: NEW });

    expect(task.status).toBe('rejected');
    expect(notesOf(task).at(-1)).toBe('una@new.example.com is taken by another account.');
  });
});

describe('update-email after approval', () => {
  it('sends the confirmation link to the new address and moves the whole record on confirmation', async () => {
    // Prepare
    const harness = await setup();
    const { engine, directory, mailer } = harness;
    const { id } = await request(harness, { newEmail: NEW });

    // Act 1
    const { post, mail, token } = await toToken(harness, id);

    // Assess 1
    expect(post).toStrictEqual({ tokenRequired: true });
    expect(mail?.to).toStrictEqual([NEW]);
    expect(mail?.subject).toBe('Confirm your new email address');
    expect(mail?.text).toBe(
      'Someone asked to move the Assent account una@example.com to this address, una@new.example.com.\n' +
        'If it was you, confirm here (the link works once, until 2026-11-24T10:00:00.000Z):\n\n' +
        `https://api.example.com/v1/tokens/${token}\n\nIf it was not you, ignore this email: nothing changes.\n\nTask: ${id}\n`,
    );
    expect(mailer.sent.filter((email) => email.to.includes(OLD))).toStrictEqual([]);

    // Act 2
    const done = await engine.submitToken(token, { confirm: 'yes' });
    await engine.complete(id);

    // Assess 2
    expect(done.status).toBe('completed');
    expect(await directory.findUser(OLD)).toBeUndefined();
    expect(await directory.findUser(NEW)).toStrictEqual({ ...ACCOUNT, email: NEW, previousEmail: OLD });
    expect(notesOf(done).at(-1)).toBe('Account una@example.com moved to una@new.example.com.');
    const completed = mailer.sent.at(-1);
    expect([completed?.to, completed?.subject]).toStrictEqual([[NEW], 'Your email address was changed']);
    expect(completed?.text).toBe(
      'Your Assent account now uses una@new.example.com instead of una@example.com.\n' +
        `Sign in with the new address from now on; your password is unchanged.\n\nTask: ${id}\n`,
    );
  });

  it('refuses a submission without the confirmation, as a field error', async () => {
    const harness = await setup();
    const { id } = await request(harness, { newEmail: NEW });
    const { token } = await toToken(harness, id);

    const attempt = harness.engine.submitToken(token, {});

    await expect(attempt).rejects.toMatchObject({ errors: [{ path: 'confirm', message: 'Required' }] });
    expect(await harness.directory.findUser(OLD)).toStrictEqual(ACCOUNT);
  });

  it('sends no link when the new address was taken after approval', async () => {
    const harness = await setup();
    const { id } = await request(harness, { newEmail: NEW });
    await harness.directory.createUser({ email: NEW, roles: [], enabled: true, createdAt: 'x' });

    const attempt = harness.engine.postApprove(id);

    await expect(attempt).rejects.toBeInstanceOf(InvalidTaskError);
    expect(notesOf(await harness.engine.getTask(id)).at(-1)).toBe('una@new.example.com is taken by another account.');
  });

  it('completes when an earlier attempt already moved the record (a retry), moving nothing twice', async () => {
    // Prepare: the move happened, but the attempt stopped before the task was completed.
    const harness = await setup();
    const { id } = await request(harness, { newEmail: NEW });
    const { token } = await toToken(harness, id);
    await harness.directory.changeEmail(OLD, NEW);

    // Act
    const done = await harness.engine.submitToken(token, { confirm: true });

    // Assess
    expect(done.status).toBe('completed');
    expect(notesOf(done).at(-1)).toBe('Account una@example.com was already moved to una@new.example.com.');
    expect([...harness.directory.users.values()]).toStrictEqual([{ ...ACCOUNT, email: NEW, previousEmail: OLD }]);
  });
});
