import { jest } from '@jest/globals';
import { ForbiddenError, InvalidTaskError, UnauthorizedError, ValidationError } from '#core/errors';
import { verifyPassword } from '#core/passwords';
import { crashAfterFirstCall, engineWithFakes, fieldErrorsOf, identity, linkSecret, notesOf } from '../../../test/support/engine-harness.ts';

const OWNER = 'olga@example.com';
const PROJECT = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };

/** An engine whose directory holds the project "apollo" and its owner (project_admin). */
async function setup() {
  const harness = engineWithFakes();
  await harness.directory.createProject(PROJECT);
  await harness.directory.createUser({ email: OWNER, projectId: PROJECT.id, roles: ['project_admin'], enabled: true, passwordHash: 'h', createdAt: 'x' });
  return harness;
}

type Harness = Awaited<ReturnType<typeof setup>>;

/** Creates an invitation by the owner and runs preApprove. */
async function invite({ engine }: Harness, data: unknown, requester = identity(OWNER)) {
  const task = await engine.createTask('invite-user', data, requester);
  const decision = await engine.preApprove(task.id);
  return { id: task.id, decision, task: await engine.getTask(task.id) };
}

/** From an auto-approved invitation to its emailed token: postApprove, then the token wait. */
async function toToken({ engine, mailer }: Harness, id: string, to: string) {
  const post = await engine.postApprove(id);
  await engine.awaitToken(id, 'sfn-token-1');
  const mail = mailer.sent.filter((email) => email.to.includes(to)).at(-1);
  return { post, mail, token: linkSecret(mail?.text) };
}

describe('invite-user input', () => {
  it('accepts an email and a list of allowed roles, lowercasing the email', async () => {
    // Prepare
    const harness = await setup();
    // Act
    const task = await harness.engine.createTask('invite-user', { email: 'Ivy@Example.com', roles: ['member', 'project_admin'] }, identity(OWNER));
    // Assess
    expect(task.actions[0]?.data).toStrictEqual({ email: 'ivy@example.com', roles: ['member', 'project_admin'] });
  });

  it.each([
    ['an empty role list', [], 'Give at least one role'],
    ['a role outside the allowed list', ['admin'], 'Use one of: member, project_admin'],
    ['a role given twice', ['member', 'member'], 'List each role once'],
    ['roles that are not a list', 'member', 'Must be a list of roles'],
  ])('refuses %s', async (_why, roles, message) => {
    const { engine, store } = await setup();

    const attempt = engine.createTask('invite-user', { email: 'ivy@example.com', roles }, identity(OWNER));

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ errors: [{ path: expect.stringMatching(/^data\.roles/), message }] });
    expect(store.tasks.size).toBe(0);
  });

  it('refuses a request without a bearer token (401) or without the project_admin role (403)', async () => {
    const { engine } = await setup();
    const data = { email: 'ivy@example.com', roles: ['member'] };

    await expect(engine.createTask('invite-user', data, undefined)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(engine.createTask('invite-user', data, identity(OWNER, ['member']))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('invite-user preApprove: named validation steps', () => {
  it('passes when the requester owns a project and the invitee has no account, and auto-approves', async () => {
    // Prepare
    const harness = await setup();
    // Act
    const { decision, task } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });
    // Assess
    expect(decision).toStrictEqual({ autoApprove: true });
    expect(task.status).toBe('approved');
    expect(task.actions[0]).toMatchObject({ valid: true, autoApprove: true, stored: { projectId: 'p-apollo', projectName: 'apollo', invitedBy: OWNER } });
    expect(notesOf(task)).toStrictEqual([
      'The requester olga@example.com belongs to project "apollo" (p-apollo).',
      'No account for ivy@example.com yet: it will be created.',
      'The requester is project_admin of "apollo": the invitation may go ahead without an admin.',
    ]);
  });

  it('passes when the invitee is a member without one of the roles', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'ivy@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });

    const { decision, task } = await invite(harness, { email: 'ivy@example.com', roles: ['member', 'project_admin'] });

    expect(decision).toStrictEqual({ autoApprove: true });
    expect(notesOf(task)[1]).toBe('ivy@example.com has an account without the roles project_admin on "apollo".');
  });

  it.each([
    ['the request carries no email claim', identity(undefined), ['The request carries no email claim, so the requester\'s project cannot be found.']],
    ['the requester has no account', identity('ghost@example.com'), ['No account for the requester ghost@example.com.']],
  ])('fails (auto-rejected, no admin troubled) when %s', async (_why, requester, notes) => {
    const harness = await setup();

    const { decision, task } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] }, requester);

    expect(decision).toStrictEqual({ autoApprove: false });
    expect(task.status).toBe('rejected');
    expect(notesOf(task)).toStrictEqual(notes);
    expect(task.history.at(-1)?.event).toBe('auto-rejected');
    expect(harness.mailer.sent).toStrictEqual([]);
  });

  it('fails when the requester has no project', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'nomad@example.com', roles: ['project_admin'], enabled: true, createdAt: 'x' });

    const { task } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] }, identity('nomad@example.com'));

    expect(task.status).toBe('rejected');
    expect(notesOf(task)).toStrictEqual(['The requester nomad@example.com has no project.']);
  });

  it('fails when the invitee is already a member with all the roles', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'ivy@example.com', projectId: PROJECT.id, roles: ['member', 'project_admin'], enabled: true, createdAt: 'x' });

    const { task } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });

    expect(task.status).toBe('rejected');
    expect(notesOf(task)).toStrictEqual([
      'The requester olga@example.com belongs to project "apollo" (p-apollo).',
      'ivy@example.com is already a member of "apollo" with the roles member.',
    ]);
  });

  it('fails when the invitee belongs to another project', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'ivy@example.com', projectId: 'p-hermes', roles: ['member'], enabled: true, createdAt: 'x' });

    const { task } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });

    expect(task.status).toBe('rejected');
    expect(notesOf(task)[1]).toBe('ivy@example.com belongs to another project; this directory keeps one project per user.');
  });

  it('waits for an admin when the requester is not project_admin of the project in the directory', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'max@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });

    const { decision, task } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] }, identity('max@example.com'));

    expect(decision).toStrictEqual({ autoApprove: false });
    expect(task.status).toBe('pending');
    expect(task.actions[0]).toMatchObject({ valid: true, autoApprove: false });
    expect(notesOf(task).at(-1)).toBe('The requester is not project_admin of "apollo" in the directory: an admin decides.');
  });
});

describe('invite-user for a new account', () => {
  it('creates the account disabled, emails the invitee a password link, and enables it on submit', async () => {
    // Prepare
    const harness = await setup();
    const { engine, directory, mailer } = harness;
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });

    // Act 1: postApprove and the token email.
    const { post, mail, token } = await toToken(harness, id, 'ivy@example.com');

    // Assess 1
    expect(post).toStrictEqual({ tokenRequired: true });
    expect(await directory.findUser('ivy@example.com')).toStrictEqual({
      email: 'ivy@example.com',
      projectId: 'p-apollo',
      roles: ['member'],
      enabled: false,
      createdAt: '2026-11-23T10:00:00.000Z',
    });
    expect(mail?.subject).toBe('Join apollo on Assent');
    expect(mail?.text).toBe(
      `olga@example.com invites you to the project "apollo" on Assent, with the roles: member.\n\n` +
        `Choose a password for your new account ivy@example.com here (the link works once, until 2026-11-26T10:00:00.000Z):\n\n` +
        `https://api.example.com/v1/tokens/${token}\n\n` +
        `If you did not expect this invitation, ignore this email: nothing changes.\n\nTask: ${id}\n`,
    );
    expect(Object.keys((await engine.viewToken(token)).schema.shape)).toStrictEqual(['password']);

    // Act 2: the invitee chooses a password.
    const done = await engine.submitToken(token, { password: 'correct horse battery' });
    await engine.complete(id);

    // Assess 2
    expect(done.status).toBe('completed');
    const user = await directory.findUser('ivy@example.com');
    expect({ ...user, passwordHash: undefined }).toStrictEqual({
      email: 'ivy@example.com',
      projectId: 'p-apollo',
      roles: ['member'],
      enabled: true,
      createdAt: '2026-11-23T10:00:00.000Z',
      passwordHash: undefined,
    });
    expect(await verifyPassword('correct horse battery', user?.passwordHash ?? '')).toBe(true);
    expect(notesOf(await engine.getTask(id)).slice(3)).toStrictEqual([
      'Created the account ivy@example.com (disabled until a password is set).',
      'Password set; account ivy@example.com enabled.',
    ]);
    const completed = mailer.sent.filter((email) => email.to.includes('ivy@example.com')).at(-1);
    expect(completed?.subject).toBe('Welcome to apollo');
    expect(completed?.text).toBe(`Your account ivy@example.com is a member of the project "apollo", with the roles: member.\n\nTask: ${id}\n`);
  });

  it('creates nothing twice when postApprove runs again', async () => {
    const harness = await setup();
    const createUser = jest.spyOn(harness.directory, 'createUser');
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });

    const first = await harness.engine.postApprove(id);
    const second = await harness.engine.postApprove(id);

    expect([first, second]).toStrictEqual([{ tokenRequired: true }, { tokenRequired: true }]);
    expect(createUser).toHaveBeenCalledTimes(1);
    expect(notesOf(await harness.engine.getTask(id)).slice(3)).toStrictEqual(['Created the account ivy@example.com (disabled until a password is set).']);
  });

  it('creates nothing twice when the first attempt stopped between the create and its checkpoint', async () => {
    // Prepare: the first createUser succeeds, then the attempt dies before `persist('mode')`.
    const harness = await setup();
    crashAfterFirstCall(harness.directory, 'createUser');
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });
    await expect(harness.engine.postApprove(id)).rejects.toThrow('Task timed out after createUser');

    // Act: the retry.
    const retried = await harness.engine.postApprove(id);

    // Assess
    expect(retried).toStrictEqual({ tokenRequired: true });
    expect([...harness.directory.users.keys()]).toStrictEqual([OWNER, 'ivy@example.com']);
    const task = await harness.engine.getTask(id);
    expect(task.actions[0]?.stored.mode).toBe('new-account');
    expect(notesOf(task).slice(3)).toStrictEqual(['The account ivy@example.com exists and waits for its first password.']);
  });

  it('refuses a submission without a password and sets nothing', async () => {
    const harness = await setup();
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });
    const { token } = await toToken(harness, id, 'ivy@example.com');

    const error = await harness.engine.submitToken(token, { confirm: 'yes' }).catch((caught: unknown) => caught);

    expect(fieldErrorsOf(error)).toStrictEqual([
      { path: 'password', message: 'Required' },
      { path: 'confirm', message: 'Unknown field' },
    ]);
    expect(await harness.directory.findUser('ivy@example.com')).toMatchObject({ enabled: false, roles: ['member'] });
    expect((await harness.directory.findUser('ivy@example.com'))?.passwordHash).toBeUndefined();
  });

  it('refuses a password that is too short, as a field error', async () => {
    const harness = await setup();
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });
    const { token } = await toToken(harness, id, 'ivy@example.com');

    const attempt = harness.engine.submitToken(token, { password: 'short' });

    await expect(attempt).rejects.toMatchObject({ errors: [{ path: 'password', message: 'Use at least 12 characters' }] });
  });
});

describe('invite-user for an existing account', () => {
  it('asks the invitee to confirm, then grants the missing role and keeps the others', async () => {
    // Prepare
    const harness = await setup();
    await harness.directory.createUser({ email: 'ivy@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, passwordHash: 'h', createdAt: 'x' });
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['member', 'project_admin'] });
    const { mail, token } = await toToken(harness, id, 'ivy@example.com');

    // Act
    const done = await harness.engine.submitToken(token, { confirm: 'yes' });

    // Assess
    expect(mail?.text).toContain('Confirm that your account ivy@example.com joins the project here');
    expect(done.status).toBe('completed');
    expect(await harness.directory.findUser('ivy@example.com')).toStrictEqual({
      email: 'ivy@example.com',
      projectId: 'p-apollo',
      roles: ['member', 'project_admin'],
      enabled: true,
      passwordHash: 'h',
      createdAt: 'x',
    });
    expect(notesOf(done).slice(3)).toStrictEqual([
      'ivy@example.com has an account: they confirm before project_admin is granted on "apollo".',
      'Granted member, project_admin on "apollo" to ivy@example.com.',
    ]);
  });

  it('lets an account with no project join it on confirmation (JSON true confirms too)', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'ivy@example.com', roles: [], enabled: true, passwordHash: 'h', createdAt: 'x' });
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });
    const { token } = await toToken(harness, id, 'ivy@example.com');

    await harness.engine.submitToken(token, { confirm: true });

    expect(await harness.directory.findUser('ivy@example.com')).toMatchObject({ projectId: 'p-apollo', roles: ['member'] });
  });

  it('refuses a confirmation that is not one', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'ivy@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['project_admin'] });
    const { token } = await toToken(harness, id, 'ivy@example.com');

    const attempt = harness.engine.submitToken(token, { confirm: 'no' });

    await expect(attempt).rejects.toMatchObject({ errors: [{ path: 'confirm', message: 'Confirm with true (or "yes" in a form)' }] });
    expect((await harness.directory.findUser('ivy@example.com'))?.roles).toStrictEqual(['member']);
  });

  it('needs no token when the roles were granted between approval and postApprove', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'ivy@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['project_admin'] });
    await harness.directory.grantRoles('ivy@example.com', PROJECT.id, ['project_admin']);

    const post = await harness.engine.postApprove(id);
    await harness.engine.submit(id);

    expect(post).toStrictEqual({ tokenRequired: false });
    const task = await harness.engine.getTask(id);
    expect(task.status).toBe('completed');
    expect(notesOf(task).slice(3)).toStrictEqual([
      'ivy@example.com already has the roles project_admin on "apollo": nothing to grant, no token.',
      'ivy@example.com already had the roles: nothing to do.',
    ]);
  });

  it('becomes invalid when the invitee joined another project before postApprove', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'ivy@example.com', roles: [], enabled: true, createdAt: 'x' });
    const { id } = await invite(harness, { email: 'ivy@example.com', roles: ['member'] });
    await harness.directory.grantRoles('ivy@example.com', 'p-hermes', ['member']);

    const attempt = harness.engine.postApprove(id);

    await expect(attempt).rejects.toBeInstanceOf(InvalidTaskError);
    expect(notesOf(await harness.engine.getTask(id)).at(-1)).toBe('ivy@example.com joined another project before approval.');
  });
});
