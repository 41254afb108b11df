import * as z from 'zod';
import { MemoryDirectory } from '../../../test/support/fakes.ts';
import { requester, runHook } from '../../../test/support/run-hook.ts';
import { grantRole } from './action.ts';
import { GrantRoleSchema } from './schema.ts';

/** The grant-role action alone (runHook). */
const AT = '2026-11-23T10:00:00.000Z';
const MAX = 'max@example.com';
const PROJECT = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };
const BELONGS = { at: AT, step: 'requester-project', text: 'The requester max@example.com belongs to project "apollo" (p-apollo).' };
const STORED = { projectId: PROJECT.id, projectName: 'apollo', email: MAX };

/** The project "apollo" and max, its member. */
async function setup() {
  const directory = new MemoryDirectory();
  await directory.createProject(PROJECT);
  await directory.createUser({ email: MAX, projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });
  return directory;
}

const preApprove = (directory: MemoryDirectory, role: string, by = requester(MAX, ['member'])) => runHook(grantRole, 'preApprove', { data: { role }, task: { createdBy: by }, ports: { directory } });
const postApprove = (directory: MemoryDirectory, role: string, stored: Record<string, unknown> = STORED) => runHook(grantRole, 'postApprove', { data: { role }, stored, ports: { directory } });
const undo = (directory: MemoryDirectory, role: string, stored: Record<string, unknown>) => runHook(grantRole, 'undo', { data: { role }, stored, ports: { directory } });

describe('grant-role input', () => {
  it('accepts project_admin and member', () => {
    expect([GrantRoleSchema.parse({ role: 'project_admin' }), GrantRoleSchema.parse({ role: 'member' })]).toStrictEqual([{ role: 'project_admin' }, { role: 'member' }]);
  });

  it.each([
    ['admin, which no one asks for', { role: 'admin' }, 'Use one of: project_admin, member'],
    ['a missing role', {}, 'Required'],
  ])('refuses %s', (_why, input, message) => {
    const result = GrantRoleSchema.safeParse(input);

    expect(result.error).toBeInstanceOf(z.ZodError);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([['role', message]]);
  });

  it('describes its field for the task type listing', () => {
    expect(GrantRoleSchema.shape.role.description).toBe('The role the requester asks for on their own project: project_admin or member.');
  });
});

describe('grant-role preApprove', () => {
  it('always asks the approvers, and keeps the requester and their project', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await preApprove(directory, 'project_admin');
    // Assess
    expect(result).toStrictEqual({
      valid: true,
      autoApprove: false,
      needsToken: false,
      notes: [
        BELONGS,
        { at: AT, step: 'role-is-missing', text: 'max@example.com has member on project "apollo", not project_admin.' },
        { at: AT, text: 'max@example.com asks for project_admin on project "apollo".' },
      ],
      stored: STORED,
      projectId: PROJECT.id,
    });
  });

  it('finds the requester by the token\'s sub after an address change, though the token still carries the old address', async () => {
    // Prepare
    const directory = await setup();
    await directory.changeEmail(MAX, 'max@new.example.com');
    // Act
    const result = await preApprove(directory, 'project_admin', { sub: await directory.accountIdOf('max@new.example.com'), email: MAX, roles: ['member'] });
    // Assess
    expect([result.valid, result.notes[0]?.text, result.stored]).toStrictEqual([
      true,
      'The requester max@new.example.com belongs to project "apollo" (p-apollo).',
      { ...STORED, email: 'max@new.example.com' },
    ]);
  });

  it('finds the requester by the token\'s email when the directory does not know its sub (a token of another issuer)', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await preApprove(directory, 'project_admin', { sub: 'other-issuer|max', email: MAX, roles: ['member'] });
    // Assess
    expect([result.valid, result.autoApprove, result.stored]).toStrictEqual([true, false, STORED]);
  });

  it('refuses a role the requester already has: nothing to change', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await preApprove(directory, 'member');
    // Assess
    expect(result).toStrictEqual({
      valid: false,
      autoApprove: true,
      needsToken: false,
      notes: [BELONGS, { at: AT, step: 'role-is-missing', text: 'Nothing to change: max@example.com already has member on project "apollo".' }],
      stored: {},
      projectId: PROJECT.id,
    });
  });

  it.each([
    ['the requester has no account', requester('ghost@example.com', ['member']), 'No account for the requester ghost@example.com.'],
    ['the request carries neither a known sub nor an email claim', requester(undefined, ['member']), 'The request carries no email claim, so the requester\'s project cannot be found.'],
  ])('refuses when %s', async (_why, by, text) => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await preApprove(directory, 'project_admin', by);
    // Assess
    expect([result.valid, result.autoApprove, result.notes, result.stored, result.projectId]).toStrictEqual([false, true, [{ at: AT, step: 'requester-project', text }], {}, undefined]);
  });

  it('refuses when the requester has no project', async () => {
    // Prepare
    const directory = await setup();
    await directory.createUser({ email: 'nomad@example.com', roles: ['member'], enabled: true, createdAt: 'x' });
    // Act
    const result = await preApprove(directory, 'project_admin', requester('nomad@example.com', ['member']));
    // Assess
    expect([result.valid, result.notes.map((note) => note.text), result.projectId]).toStrictEqual([false, ['The requester nomad@example.com has no project.'], undefined]);
  });
});

describe('grant-role postApprove', () => {
  it('grants the role, keeping the others, and checkpoints that this task added it', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await postApprove(directory, 'project_admin');
    // Assess
    expect([result.valid, result.stored, result.notes.map((note) => note.text)]).toStrictEqual([true, { ...STORED, granted: true }, ['Granted project_admin on "apollo" to max@example.com.']]);
    expect((await directory.findUser(MAX))?.roles).toStrictEqual(['member', 'project_admin']);
  });

  it('records no grant when the user already has the role, so undo will not take it away', async () => {
    // Prepare: someone gave max project_admin after the request.
    const directory = await setup();
    await directory.grantRoles(MAX, PROJECT.id, ['project_admin']);
    // Act
    const result = await postApprove(directory, 'project_admin');
    // Assess
    expect([result.valid, result.stored, result.notes.map((note) => note.text)]).toStrictEqual([
      true,
      STORED,
      ['max@example.com already has project_admin on "apollo" (given since the request, or by an attempt that did not record it): nothing granted, so nothing for undo to revoke.'],
    ]);
  });

  it('grants nothing again when an earlier attempt recorded its grant', async () => {
    // Prepare: the earlier attempt granted project_admin; it was removed since.
    const directory = await setup();
    // Act
    const result = await postApprove(directory, 'project_admin', { ...STORED, granted: true });
    // Assess
    expect([result.valid, result.notes.map((note) => note.text)]).toStrictEqual([true, ['project_admin on "apollo" was granted to max@example.com by an earlier attempt.']]);
    expect((await directory.findUser(MAX))?.roles).toStrictEqual(['member']);
  });

  it('refuses when the account is gone', async () => {
    // Prepare
    const directory = await setup();
    directory.users.clear();
    // Act
    const result = await postApprove(directory, 'project_admin');
    // Assess
    expect([result.valid, result.stored, result.notes.map((note) => note.text)]).toStrictEqual([false, STORED, ['No account for max@example.com any more: project_admin on "apollo" cannot be granted.']]);
  });

  it('refuses when the user belongs to another project now', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await postApprove(directory, 'project_admin', { ...STORED, projectId: 'p-zeus' });
    // Assess
    expect([result.valid, result.notes.map((note) => note.text)]).toStrictEqual([false, ['max@example.com belongs to another project than "apollo" now: project_admin on it cannot be granted.']]);
    expect((await directory.findUser(MAX))?.roles).toStrictEqual(['member']);
  });
});

describe('grant-role undo', () => {
  it('revokes the role this task granted, keeping the others', async () => {
    // Prepare
    const directory = await setup();
    await directory.grantRoles(MAX, PROJECT.id, ['project_admin']);
    // Act
    const result = await undo(directory, 'project_admin', { ...STORED, granted: true });
    // Assess
    expect(result.notes.map((note) => note.text)).toStrictEqual(['Revoked project_admin on "apollo" from max@example.com.']);
    expect((await directory.findUser(MAX))?.roles).toStrictEqual(['member']);
  });

  it('keeps a role this task did not add', async () => {
    // Prepare: max had project_admin before postApprove ran (no grant recorded).
    const directory = await setup();
    await directory.grantRoles(MAX, PROJECT.id, ['project_admin']);
    // Act
    const result = await undo(directory, 'project_admin', STORED);
    // Assess
    expect(result.notes.map((note) => note.text)).toStrictEqual(['Nothing to revoke: this task granted no role.']);
    expect((await directory.findUser(MAX))?.roles).toStrictEqual(['member', 'project_admin']);
  });

  it.each([
    ['already revoked (a retried undo)', async (_directory: MemoryDirectory) => {}, 'max@example.com no longer has project_admin on "apollo": nothing to revoke.'],
    ['the account is gone', async (directory: MemoryDirectory) => directory.users.clear(), 'No account for max@example.com any more: nothing to revoke.'],
  ])('succeeds when %s', async (_why, change, text) => {
    // Prepare
    const directory = await setup();
    await change(directory);
    // Act
    const result = await undo(directory, 'project_admin', { ...STORED, granted: true });
    // Assess
    expect([result.valid, result.notes.map((note) => note.text)]).toStrictEqual([true, [text]]);
  });

  it('leaves the roles of a user who moved to another project', async () => {
    // Prepare
    const directory = await setup();
    await directory.grantRoles(MAX, PROJECT.id, ['project_admin']);
    // Act
    const result = await undo(directory, 'project_admin', { ...STORED, projectId: 'p-zeus', granted: true });
    // Assess
    expect(result.notes.map((note) => note.text)).toStrictEqual(['max@example.com belongs to another project than "apollo" now: its roles are left as they are.']);
    expect((await directory.findUser(MAX))?.roles).toStrictEqual(['member', 'project_admin']);
  });
});
