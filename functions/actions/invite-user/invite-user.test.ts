import { jest } from '@jest/globals';
import * as z from 'zod';
import { verifyPassword } from '#core/passwords';
import { MemoryDirectory } from '../../../test/support/fakes.ts';
import { requester, runHook } from '../../../test/support/run-hook.ts';
import { inviteUser } from './action.ts';
import { InviteUserSchema } from './schema.ts';

/** The invite-user action alone (runHook). What the engine does with it (emails, token forms, access): invite-user.engine.test.ts. */
const AT = '2026-11-23T10:00:00.000Z';
const OWNER = 'olga@example.com';
const INVITEE = 'ivy@example.com';
const PROJECT = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };
const STORED = { projectId: 'p-apollo', projectName: 'apollo', invitedBy: OWNER };

/** A directory with the project "apollo" and its owner (project_admin). */
async function setup() {
  const directory = new MemoryDirectory();
  await directory.createProject(PROJECT);
  await directory.createUser({ email: OWNER, projectId: PROJECT.id, roles: ['project_admin'], enabled: true, hasPassword: true, createdAt: 'x' });
  return directory;
}

const preApprove = (directory: MemoryDirectory, roles: string[], by = requester(OWNER)) =>
  runHook(inviteUser, 'preApprove', { data: { email: INVITEE, roles }, task: { createdBy: by }, ports: { directory } });

const postApprove = (directory: MemoryDirectory, roles: string[], stored: Record<string, unknown> = STORED) =>
  runHook(inviteUser, 'postApprove', { data: { email: INVITEE, roles }, stored, ports: { directory } });

const submit = (directory: MemoryDirectory, roles: string[], mode: string, tokenData: Record<string, unknown>) =>
  runHook(inviteUser, 'submit', {
    data: { email: INVITEE, roles },
    stored: { ...STORED, mode },
    ...(mode === 'already-member' ? {} : { tokenData, tokenSchemaKey: mode === 'new-account' ? 'password' : 'confirm' }),
    ports: { directory },
  });

const texts = (notes: readonly { text: string }[]) => notes.map((note) => note.text);

describe('invite-user input', () => {
  it('accepts an email and a list of allowed roles, lowercasing the email', () => {
    expect(InviteUserSchema.parse({ email: 'Ivy@Example.com', roles: ['member', 'project_admin'] })).toStrictEqual({ email: INVITEE, roles: ['member', 'project_admin'] });
  });

  it.each([
    ['an empty role list', [], 'Give at least one role'],
    ['a role outside the allowed list', ['admin'], 'Use one of: member, project_admin'],
    ['a role given twice', ['member', 'member'], 'List each role once'],
    ['roles that are not a list', 'member', 'Must be a list of roles'],
  ])('refuses %s', (_why, roles, message) => {
    const result = InviteUserSchema.safeParse({ email: INVITEE, roles });

    expect(result.error).toBeInstanceOf(z.ZodError);
    expect(result.error?.issues.map((issue) => [issue.path[0], issue.message])).toStrictEqual([['roles', message]]);
  });
});

describe('invite-user preApprove: named validation steps', () => {
  it('passes when the requester owns a project and the invitee has no account, and needs no admin', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await preApprove(directory, ['member']);
    // Assess
    expect(result).toStrictEqual({
      valid: true,
      autoApprove: true,
      needsToken: false,
      notes: [
        { at: AT, step: 'requester-project', text: 'The requester olga@example.com belongs to project "apollo" (p-apollo).' },
        { at: AT, step: 'invitee-can-join', text: 'No account for ivy@example.com yet: it will be created.' },
        { at: AT, text: 'The requester is project_admin of "apollo": the invitation may go ahead without an admin.' },
      ],
      stored: STORED,
      // The requester-project step makes the task its project's.
      projectId: 'p-apollo',
    });
  });

  it('passes when the invitee is a member without one of the roles', async () => {
    const directory = await setup();
    await directory.createUser({ email: INVITEE, projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, ['member', 'project_admin']);

    expect([result.valid, result.autoApprove]).toStrictEqual([true, true]);
    expect(result.notes[1]).toStrictEqual({ at: AT, step: 'invitee-can-join', text: 'ivy@example.com has an account without the roles project_admin on "apollo".' });
  });

  it('waits for an admin when the requester is not project_admin of the project in the directory', async () => {
    const directory = await setup();
    await directory.createUser({ email: 'max@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, ['member'], requester('max@example.com'));

    expect([result.valid, result.autoApprove]).toStrictEqual([true, false]);
    expect(texts(result.notes).at(-1)).toBe('The requester is not project_admin of "apollo" in the directory: an admin decides.');
  });

  it.each([
    ['the request carries no email claim', requester(undefined), 'The request carries no email claim, so the requester\'s project cannot be found.'],
    ['the requester has no account', requester('ghost@example.com'), 'No account for the requester ghost@example.com.'],
  ])('refuses (no admin troubled) when %s', async (_why, by, note) => {
    const directory = await setup();

    const result = await preApprove(directory, ['member'], by);

    expect(result).toStrictEqual({ valid: false, autoApprove: true, needsToken: false, notes: [{ at: AT, step: 'requester-project', text: note }], stored: {} });
  });

  it('refuses when the requester has no project', async () => {
    const directory = await setup();
    await directory.createUser({ email: 'nomad@example.com', roles: ['project_admin'], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, ['member'], requester('nomad@example.com'));

    expect([result.valid, result.autoApprove, texts(result.notes)]).toStrictEqual([false, true, ['The requester nomad@example.com has no project.']]);
  });

  it('refuses when the requester\'s project does not exist', async () => {
    const directory = await setup();
    await directory.createUser({ email: 'lost@example.com', projectId: 'p-gone', roles: ['project_admin'], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, ['member'], requester('lost@example.com'));

    expect([result.valid, result.autoApprove, texts(result.notes)]).toStrictEqual([false, true, ['The requester\'s project p-gone does not exist.']]);
  });

  it('refuses when the invitee is already a member with all the roles', async () => {
    const directory = await setup();
    await directory.createUser({ email: INVITEE, projectId: PROJECT.id, roles: ['member', 'project_admin'], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, ['member']);

    expect([result.valid, result.autoApprove]).toStrictEqual([false, true]);
    expect(result.notes.map(({ step, text }) => [step, text])).toStrictEqual([
      ['requester-project', 'The requester olga@example.com belongs to project "apollo" (p-apollo).'],
      ['invitee-can-join', 'ivy@example.com is already a member of "apollo" with the roles member.'],
    ]);
  });

  it('refuses when the invitee belongs to another project', async () => {
    const directory = await setup();
    await directory.createUser({ email: INVITEE, projectId: 'p-hermes', roles: ['member'], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, ['member']);

    expect([result.valid, result.autoApprove]).toStrictEqual([false, true]);
    expect(texts(result.notes)[1]).toBe('ivy@example.com belongs to another project; this directory keeps one project per user.');
  });
});

describe('invite-user postApprove', () => {
  it('creates the account of a new invitee disabled, checkpoints it, and asks for a password', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await postApprove(directory, ['member']);
    // Assess
    expect(result).toStrictEqual({
      valid: true,
      autoApprove: null,
      needsToken: true,
      tokenSchemaKey: 'password',
      notes: [{ at: AT, text: 'Created the account ivy@example.com (disabled until a password is set).' }],
      stored: { ...STORED, mode: 'new-account' },
    });
    expect(await directory.findUser(INVITEE)).toStrictEqual({ email: INVITEE, projectId: 'p-apollo', roles: ['member'], enabled: false, createdAt: AT });
  });

  it('creates nothing twice when it runs again', async () => {
    const directory = await setup();
    const createUser = jest.spyOn(directory, 'createUser');
    const first = await postApprove(directory, ['member']);

    const second = await postApprove(directory, ['member'], first.stored);

    expect(createUser).toHaveBeenCalledTimes(1);
    expect([second.needsToken, second.tokenSchemaKey, second.notes]).toStrictEqual([true, 'password', []]);
  });

  it('creates nothing twice when the first attempt stopped between the create and its checkpoint', async () => {
    // Prepare: the first createUser succeeds, then the attempt dies before `persist('mode')`.
    const directory = await setup();
    const create = directory.createUser.bind(directory);
    jest.spyOn(directory, 'createUser').mockImplementationOnce(async (user) => {
      await create(user);
      throw new Error('Task timed out after createUser');
    });
    await expect(postApprove(directory, ['member'])).rejects.toThrow('Task timed out after createUser');

    // Act: the retry, with what the first attempt had stored before it.
    const retried = await postApprove(directory, ['member']);

    // Assess
    expect([...directory.users.keys()]).toStrictEqual([OWNER, INVITEE]);
    expect([retried.stored.mode, retried.tokenSchemaKey, texts(retried.notes)]).toStrictEqual([
      'new-account',
      'password',
      ['The account ivy@example.com exists and waits for its first password.'],
    ]);
  });

  it('asks an existing account to confirm before the missing role is granted', async () => {
    const directory = await setup();
    await directory.createUser({ email: INVITEE, projectId: PROJECT.id, roles: ['member'], enabled: true, hasPassword: true, createdAt: 'x' });

    const result = await postApprove(directory, ['member', 'project_admin']);

    expect([result.stored.mode, result.needsToken, result.tokenSchemaKey]).toStrictEqual(['existing-account', true, 'confirm']);
    expect(texts(result.notes)).toStrictEqual(['ivy@example.com has an account: they confirm before project_admin is granted on "apollo".']);
  });

  it('needs no token when the roles were granted between approval and postApprove', async () => {
    const directory = await setup();
    await directory.createUser({ email: INVITEE, projectId: PROJECT.id, roles: ['member', 'project_admin'], enabled: true, createdAt: 'x' });

    const result = await postApprove(directory, ['project_admin']);

    expect([result.valid, result.stored.mode, result.needsToken]).toStrictEqual([true, 'already-member', false]);
    expect(texts(result.notes)).toStrictEqual(['ivy@example.com already has the roles project_admin on "apollo": nothing to grant, no token.']);
  });

  it('refuses when the invitee joined another project before postApprove', async () => {
    const directory = await setup();
    await directory.createUser({ email: INVITEE, projectId: 'p-hermes', roles: ['member'], enabled: true, createdAt: 'x' });

    const result = await postApprove(directory, ['member']);

    expect([result.valid, result.needsToken, result.stored.mode]).toStrictEqual([false, false, undefined]);
    expect(texts(result.notes)).toStrictEqual(['ivy@example.com joined another project before approval.']);
  });
});

describe('invite-user submit', () => {
  it('sets the new account\'s password, enables it and keeps its roles', async () => {
    // Prepare
    const directory = await setup();
    await postApprove(directory, ['member']);
    // Act
    const result = await submit(directory, ['member'], 'new-account', { password: 'correct horse battery' });
    // Assess
    const user = await directory.findUser(INVITEE);
    expect(user).toStrictEqual({ email: INVITEE, projectId: 'p-apollo', roles: ['member'], enabled: true, createdAt: AT, hasPassword: true });
    expect(await verifyPassword('correct horse battery', directory.passwords.get(INVITEE) ?? '')).toBe(true);
    expect([result.valid, texts(result.notes)]).toStrictEqual([true, ['Password set; account ivy@example.com enabled.']]);
  });

  it.each([
    ['without a password', { confirm: 'yes' }, 'Required'],
    ['with a password that is too short', { password: 'short' }, 'Use at least 12 characters'],
    ['with a password of 12 NUL characters', { password: '\u0000'.repeat(12) }, 'Use no control characters (such as NUL, tab or newline); letters, digits, spaces and symbols are fine'],
  ])('refuses a new account\'s token %s, and sets nothing', async (_why, tokenData, message) => {
    const directory = await setup();
    await postApprove(directory, ['member']);

    const error = await submit(directory, ['member'], 'new-account', tokenData).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(z.ZodError);
    expect((error as z.ZodError).issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([['password', message]]);
    expect(await directory.findUser(INVITEE)).toMatchObject({ enabled: false, roles: ['member'] });
    expect([(await directory.findUser(INVITEE))?.hasPassword, directory.passwords.has(INVITEE)]).toStrictEqual([undefined, false]);
  });

  it('grants the missing role to an existing account on confirmation and keeps the others', async () => {
    const directory = await setup();
    await directory.createUser({ email: INVITEE, projectId: PROJECT.id, roles: ['member'], enabled: true, hasPassword: true, createdAt: 'x' });

    const result = await submit(directory, ['member', 'project_admin'], 'existing-account', { confirm: 'yes' });

    expect(await directory.findUser(INVITEE)).toStrictEqual({ email: INVITEE, projectId: 'p-apollo', roles: ['member', 'project_admin'], enabled: true, hasPassword: true, createdAt: 'x' });
    expect(texts(result.notes)).toStrictEqual(['Granted member, project_admin on "apollo" to ivy@example.com.']);
  });

  it('lets an account with no project join it on confirmation (JSON true confirms too)', async () => {
    const directory = await setup();
    await directory.createUser({ email: INVITEE, roles: [], enabled: true, hasPassword: true, createdAt: 'x' });

    await submit(directory, ['member'], 'existing-account', { confirm: true });

    expect(await directory.findUser(INVITEE)).toMatchObject({ projectId: 'p-apollo', roles: ['member'] });
  });

  it('refuses a confirmation that is not one, and grants nothing', async () => {
    const directory = await setup();
    await directory.createUser({ email: INVITEE, projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });

    const error = await submit(directory, ['project_admin'], 'existing-account', { confirm: 'no' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(z.ZodError);
    expect((error as z.ZodError).issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([['confirm', 'Confirm with true (or "yes" in a form)']]);
    expect((await directory.findUser(INVITEE))?.roles).toStrictEqual(['member']);
  });

  it.each([
    ['the account no longer exists', undefined, 'The account ivy@example.com no longer exists.'],
    ['the invitee joined another project meanwhile', 'p-hermes', 'ivy@example.com joined another project meanwhile.'],
  ])('refuses when %s', async (_why, projectId, note) => {
    const directory = await setup();
    if (projectId) await directory.createUser({ email: INVITEE, projectId, roles: ['member'], enabled: true, createdAt: 'x' });

    const result = await submit(directory, ['member'], 'existing-account', { confirm: 'yes' });

    expect([result.valid, texts(result.notes)]).toStrictEqual([false, [note]]);
  });

  it('does nothing for an invitee who already had the roles', async () => {
    const directory = await setup();

    const result = await submit(directory, ['member'], 'already-member', {});

    expect([result.valid, texts(result.notes)]).toStrictEqual([true, ['ivy@example.com already had the roles: nothing to do.']]);
  });
});
