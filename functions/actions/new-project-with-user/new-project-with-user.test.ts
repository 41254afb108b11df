import { jest } from '@jest/globals';
import * as z from 'zod';
import { verifyPassword } from '#core/passwords';
import { MemoryDirectory } from '../../../test/support/fakes.ts';
import { runHook } from '../../../test/support/run-hook.ts';
import { newProjectWithUser } from './action.ts';
import { NewProjectWithUserSchema } from './schema.ts';

/** The new-project-with-user action (sign-up) alone, with runHook. */
const AT = '2026-11-23T10:00:00.000Z';
const DATA = { email: 'ann@example.com', projectName: 'apollo' };
const TASK_ID = '01JTASK0000000000000000001';

const run = (directory: MemoryDirectory, stage: 'preApprove' | 'postApprove' | 'submit' | 'undo', options: { stored?: Record<string, unknown>; tokenData?: Record<string, unknown> } = {}) =>
  runHook(newProjectWithUser, stage, { data: DATA, ports: { directory }, ...options });

const texts = (notes: readonly { text: string }[]) => notes.map((note) => note.text);

describe('new-project-with-user input', () => {
  it('accepts an email and a project name, lowercasing the email', () => {
    expect(NewProjectWithUserSchema.parse({ email: 'Ann@Example.com', projectName: 'apollo' })).toStrictEqual(DATA);
  });

  it('refuses a project name with capitals or spaces', () => {
    const result = NewProjectWithUserSchema.safeParse({ email: DATA.email, projectName: 'My Project' });

    expect(result.error).toBeInstanceOf(z.ZodError);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([['projectName', 'Use lowercase letters, digits and dashes']]);
  });
});

describe('new-project-with-user preApprove: named validation steps', () => {
  it('passes when the name and the address are free, and leaves the decision to an admin', async () => {
    const result = await run(new MemoryDirectory(), 'preApprove');

    expect(result).toStrictEqual({
      valid: true,
      autoApprove: null,
      needsToken: false,
      notes: [
        { at: AT, step: 'project-name-is-free', text: 'Project name "apollo" is free.' },
        { at: AT, step: 'no-account-yet', text: 'No account for ann@example.com yet.' },
      ],
      stored: {},
    });
  });

  it('is invalid when the project name is taken, and stops there (an admin sees why)', async () => {
    const directory = new MemoryDirectory();
    await directory.createProject({ id: 'p-other', name: 'apollo', createdAt: 'x' });

    const result = await run(directory, 'preApprove');

    expect([result.valid, result.autoApprove, result.notes]).toStrictEqual([false, null, [{ at: AT, step: 'project-name-is-free', text: 'Project name "apollo" is taken.' }]]);
  });

  it('is invalid when the address already has an account', async () => {
    const directory = new MemoryDirectory();
    await directory.createUser({ email: DATA.email, roles: [], enabled: true, createdAt: 'x' });

    const result = await run(directory, 'preApprove');

    expect([result.valid, result.notes.at(-1)]).toStrictEqual([false, { at: AT, step: 'no-account-yet', text: 'An account for ann@example.com already exists.' }]);
  });
});

describe('new-project-with-user postApprove', () => {
  it('creates the project and the disabled owner account, checkpoints both, and asks for a password', async () => {
    // Prepare
    const directory = new MemoryDirectory();
    // Act
    const result = await run(directory, 'postApprove');
    // Assess
    const projectId = `p-${TASK_ID.toLowerCase()}`;
    expect(result).toStrictEqual({
      valid: true,
      autoApprove: null,
      needsToken: true,
      notes: [
        { at: AT, text: `Created project ${projectId}.` },
        { at: AT, text: 'Created the owner account ann@example.com (disabled until a password is set).' },
      ],
      stored: { projectId, userCreated: true },
      // The sign-up is the new project's task from here on.
      projectId,
    });
    expect(await directory.findProjectByName('apollo')).toStrictEqual({ id: projectId, name: 'apollo', createdAt: AT });
    expect(await directory.findUser(DATA.email)).toStrictEqual({ email: DATA.email, projectId, roles: ['project_admin'], enabled: false, createdAt: AT });
  });

  it('creates nothing twice when it runs again', async () => {
    const directory = new MemoryDirectory();
    const first = await run(directory, 'postApprove');
    const createProject = jest.spyOn(directory, 'createProject');
    const createUser = jest.spyOn(directory, 'createUser');

    const second = await run(directory, 'postApprove', { stored: first.stored });

    expect([createProject.mock.calls.length, createUser.mock.calls.length, second.needsToken, second.notes]).toStrictEqual([0, 0, true, []]);
  });

  it('carries on with its own project when a retry finds it created', async () => {
    // Prepare: the first attempt created the project and died before its checkpoint.
    const directory = new MemoryDirectory();
    await directory.createProject({ id: `p-${TASK_ID.toLowerCase()}`, name: 'apollo', createdAt: AT });
    // Act
    const result = await run(directory, 'postApprove');
    // Assess
    expect([result.valid, result.stored.projectId]).toStrictEqual([true, `p-${TASK_ID.toLowerCase()}`]);
  });

  it('refuses when another request took the project name before approval', async () => {
    const directory = new MemoryDirectory();
    await directory.createProject({ id: 'p-other', name: 'apollo', createdAt: 'x' });

    const result = await run(directory, 'postApprove');

    expect([result.valid, result.needsToken, texts(result.notes)]).toStrictEqual([false, false, ['Project name "apollo" was taken before approval.']]);
    expect(await directory.findUser(DATA.email)).toBeUndefined();
  });
});

describe('new-project-with-user postApprove when the address got an account meanwhile', () => {
  it('refuses to adopt an account someone else created and used, and changes it not', async () => {
    // Prepare
    const directory = new MemoryDirectory();
    await directory.createUser({ email: DATA.email, roles: ['member'], enabled: true, hasPassword: true, createdAt: 'x' });

    // Act
    const result = await run(directory, 'postApprove');

    // Assess
    expect([result.valid, result.needsToken, texts(result.notes).at(-1)]).toStrictEqual([false, false, 'An account for ann@example.com was created before approval.']);
    expect(await directory.findUser(DATA.email)).toStrictEqual({ email: DATA.email, roles: ['member'], enabled: true, hasPassword: true, createdAt: 'x' });
  });

  it.each([
    ['disabled, without its role and project', false],
    ['still enabled (a crash before it was disabled), without a password', true],
  ])('finishes its own account that an earlier attempt left %s', async (_state, enabled) => {
    // Prepare
    const directory = new MemoryDirectory();
    const projectId = `p-${TASK_ID.toLowerCase()}`;
    await directory.createProject({ id: projectId, name: DATA.projectName, createdAt: AT });
    await directory.createUser({ email: DATA.email, roles: [], enabled, createdAt: AT });

    // Act
    const result = await run(directory, 'postApprove', { stored: { projectId } });

    // Assess
    expect([result.valid, result.needsToken, result.stored]).toStrictEqual([true, true, { projectId, userCreated: true }]);
    expect(await directory.findUser(DATA.email)).toMatchObject({ projectId, roles: ['project_admin'], enabled });
  });
});

describe('new-project-with-user submit', () => {
  it('sets the owner\'s password and enables the account', async () => {
    const directory = new MemoryDirectory();
    const post = await run(directory, 'postApprove');

    const result = await run(directory, 'submit', { stored: post.stored, tokenData: { password: 'correct horse battery' } });

    const user = await directory.findUser(DATA.email);
    expect([user?.enabled, user?.hasPassword, await verifyPassword('correct horse battery', directory.passwords.get(DATA.email) ?? '')]).toStrictEqual([true, true, true]);
    expect(texts(result.notes)).toStrictEqual(['Password set; account ann@example.com enabled.']);
  });

  it('refuses a password that is too short, and enables nothing', async () => {
    const directory = new MemoryDirectory();
    const post = await run(directory, 'postApprove');

    const error = await run(directory, 'submit', { stored: post.stored, tokenData: { password: 'short' } }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(z.ZodError);
    expect((error as z.ZodError).issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([['password', 'Use at least 12 characters']]);
    expect((await directory.findUser(DATA.email))?.enabled).toBe(false);
  });

  it('refuses a password of 12 NUL characters, and enables nothing', async () => {
    const directory = new MemoryDirectory();
    const post = await run(directory, 'postApprove');

    const error = await run(directory, 'submit', { stored: post.stored, tokenData: { password: '\u0000'.repeat(12) } }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(z.ZodError);
    expect((error as z.ZodError).issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([
      ['password', 'Use no control characters (such as NUL, tab or newline); letters, digits, spaces and symbols are fine'],
    ]);
    const user = await directory.findUser(DATA.email);
    expect([user?.enabled, user?.hasPassword, directory.passwords.size]).toStrictEqual([false, undefined, 0]);
  });
});

describe('new-project-with-user undo', () => {
  const projectId = `p-${TASK_ID.toLowerCase()}`;

  it('removes the disabled owner account and the project postApprove created, freeing the name and the address', async () => {
    // Prepare
    const directory = new MemoryDirectory();
    const { stored } = await run(directory, 'postApprove');

    // Act
    const result = await run(directory, 'undo', { stored });

    // Assess
    expect(result.notes).toStrictEqual([
      { at: AT, text: 'Removed the disabled owner account ann@example.com.' },
      { at: AT, text: `Removed project ${projectId} ("apollo").` },
    ]);
    expect([directory.users.size, directory.projects.size]).toStrictEqual([0, 0]);
    await expect(run(directory, 'preApprove')).resolves.toMatchObject({ valid: true });
  });

  it('finds the project by its id when postApprove created it but its checkpoint was never saved (a cancel raced it)', async () => {
    // Prepare
    const directory = new MemoryDirectory();
    await run(directory, 'postApprove');

    // Act
    const result = await run(directory, 'undo', { stored: {} });

    // Assess
    expect(result.notes.map((note) => note.text)).toStrictEqual(['Removed the disabled owner account ann@example.com.', `Removed project ${projectId} ("apollo").`]);
  });

  it('changes nothing the second time, and never removes an account that is enabled or of another project', async () => {
    // Prepare
    const directory = new MemoryDirectory();
    await directory.createUser({ email: DATA.email, projectId: 'p-other', roles: [], enabled: true, createdAt: 'x' });
    await directory.createProject({ id: 'p-other', name: 'apollo', createdAt: 'x' });

    // Act
    const first = await run(directory, 'undo', { stored: { projectId } });
    const second = await run(directory, 'undo', { stored: { projectId } });

    // Assess
    expect(texts(first.notes)).toStrictEqual(['Kept the account ann@example.com: it is not the unused owner account this task created.']);
    expect(texts(second.notes)).toStrictEqual(texts(first.notes));
    expect([directory.users.size, [...directory.projects.keys()]]).toStrictEqual([1, ['apollo']]);
  });
});
