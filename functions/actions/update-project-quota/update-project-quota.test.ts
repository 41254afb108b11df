import * as z from 'zod';
import type { DirectoryQuota } from '#ports/user-directory';
import { MemoryDirectory } from '../../../test/support/fakes.ts';
import { requester, runHook } from '../../../test/support/run-hook.ts';
import { updateProjectQuota } from './action.ts';
import { UpdateProjectQuotaSchema } from './schema.ts';

/** The update-project-quota action alone (runHook). Through the engine (access, emails): update-project-quota.engine.test.ts. */
const AT = '2026-11-23T10:00:00.000Z';
const OWNER = 'olga@example.com';
const PROJECT = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };
const MEDIUM: DirectoryQuota = { size: 'medium', instances: 25, cores: 50, ramGb: 160 };
const LARGE: DirectoryQuota = { size: 'large', instances: 50, cores: 100, ramGb: 320 };
const BELONGS = { at: AT, step: 'requester-project', text: 'The requester olga@example.com belongs to project "apollo" (p-apollo).' };

/** The project "apollo" (with `quota`, if given) and its owner. */
async function setup(quota?: DirectoryQuota) {
  const directory = new MemoryDirectory();
  await directory.createProject(quota ? { ...PROJECT, quota } : PROJECT);
  await directory.createUser({ email: OWNER, projectId: PROJECT.id, roles: ['project_admin'], enabled: true, createdAt: 'x' });
  return directory;
}

const preApprove = (directory: MemoryDirectory, size: string, by = requester(OWNER)) =>
  runHook(updateProjectQuota, 'preApprove', { data: { size }, task: { createdBy: by }, ports: { directory } });

const submit = (directory: MemoryDirectory, size: string) =>
  runHook(updateProjectQuota, 'submit', { data: { size }, stored: { projectId: PROJECT.id, projectName: 'apollo', fromSize: 'small' }, ports: { directory } });

describe('update-project-quota input', () => {
  it('accepts a named size', () => {
    expect(UpdateProjectQuotaSchema.parse({ size: 'medium' })).toStrictEqual({ size: 'medium' });
  });

  it('refuses a size that is not one of the sizes', () => {
    const result = UpdateProjectQuotaSchema.safeParse({ size: 'huge' });

    expect(result.error).toBeInstanceOf(z.ZodError);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([['size', 'Use one of: small, medium, large']]);
  });
});

describe('update-project-quota preApprove: the approval rule', () => {
  it('needs no admin for one step up, and keeps the project and its size before the change', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await preApprove(directory, 'medium');
    // Assess
    expect(result).toStrictEqual({
      valid: true,
      autoApprove: true,
      needsToken: false,
      notes: [
        BELONGS,
        { at: AT, step: 'size-changes', text: 'Project "apollo" has no known quota size; it counts as small.' },
        { at: AT, text: 'small to medium is one step up: no admin needed.' },
      ],
      stored: { projectId: 'p-apollo', projectName: 'apollo', fromSize: 'small' },
      projectId: 'p-apollo',
    });
  });

  it('needs no admin going down, even by two steps', async () => {
    const directory = await setup(LARGE);

    const result = await preApprove(directory, 'small');

    expect([result.valid, result.autoApprove]).toStrictEqual([true, true]);
    expect(result.notes.slice(1).map((note) => note.text)).toStrictEqual(['Project "apollo" has the large quota.', 'large to small is going down: no admin needed.']);
  });

  it('waits for an admin for two steps up, saying why', async () => {
    const directory = await setup();

    const result = await preApprove(directory, 'large');

    expect([result.valid, result.autoApprove, result.notes.at(-1)?.text]).toStrictEqual([true, false, 'small to large is 2 steps up; more than 1 step up needs an admin.']);
  });

  it('waits for an admin when the requester is not project_admin of the project in the directory', async () => {
    const directory = await setup();
    await directory.createUser({ email: 'max@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, 'medium', requester('max@example.com'));

    expect([result.valid, result.autoApprove, result.notes.at(-1)?.text]).toStrictEqual([true, false, 'The requester is not project_admin of "apollo" in the directory: an admin decides.']);
  });

  it('refuses when the project already has that size', async () => {
    const directory = await setup(MEDIUM);

    const result = await preApprove(directory, 'medium');

    expect(result).toStrictEqual({
      valid: false,
      autoApprove: true,
      needsToken: false,
      notes: [BELONGS, { at: AT, step: 'size-changes', text: 'Nothing to change: project "apollo" already has the medium quota.' }],
      stored: {},
      // Refused, yet found: the project's admins list the refusal with the project's tasks.
      projectId: 'p-apollo',
    });
  });

  it('refuses when the requester has no project', async () => {
    const directory = await setup();
    await directory.createUser({ email: 'nomad@example.com', roles: ['project_admin'], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, 'medium', requester('nomad@example.com'));

    expect([result.valid, result.autoApprove, result.notes.map((note) => note.text), result.projectId]).toStrictEqual([false, true, ['The requester nomad@example.com has no project.'], undefined]);
  });
});

describe('update-project-quota submit', () => {
  it('applies the size\'s limits to the project', async () => {
    const directory = await setup();

    const result = await submit(directory, 'medium');

    expect(await directory.getProject(PROJECT.id)).toStrictEqual({ ...PROJECT, quota: MEDIUM });
    expect([result.valid, result.notes.map((note) => note.text)]).toStrictEqual([true, ['Quota of "apollo" set to medium (25 instances, 50 cores, 160 GB RAM).']]);
  });

  it('sets the same quota when retried after a crash that followed the write', async () => {
    // Prepare: the first attempt wrote the quota, then died before the task completed.
    const directory = await setup();
    await directory.setQuota(PROJECT.id, MEDIUM);
    // Act
    const retried = await submit(directory, 'medium');
    // Assess
    expect(retried.valid).toBe(true);
    expect(await directory.getProject(PROJECT.id)).toStrictEqual({ ...PROJECT, quota: MEDIUM });
  });

  it('refuses when the project disappeared before submit', async () => {
    const directory = await setup();
    directory.projects.clear();

    const result = await submit(directory, 'medium');

    expect([result.valid, result.notes.map((note) => note.text)]).toStrictEqual([false, ['Project p-apollo no longer exists.']]);
  });
});
