import * as z from 'zod';
import type { Identity } from '#core/identity';
import type { DirectoryQuota } from '#ports/user-directory';
import { FakeClock, MemoryDirectory } from '../../../test/support/fakes.ts';
import { requester, runHook, type SettingsInput } from '../../../test/support/run-hook.ts';
import { updateProjectQuota } from './action.ts';
import { UpdateProjectQuotaSchema, UpdateProjectQuotaSettingsSchema } from './schema.ts';

/** The update-project-quota action alone (runHook). Through the engine (access, emails): update-project-quota.engine.test.ts. */
const AT = '2026-11-23T10:00:00.000Z';
const OWNER = 'olga@example.com';
const PROJECT = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };
const DAY_SECONDS = 24 * 3600;
/** 1.5 s before AT: the issue's small→medium→large, both auto-approved. */
const JUST_NOW = '2026-11-23T09:59:58.500Z';
const SMALL: DirectoryQuota = { size: 'small', instances: 10, cores: 20, ramGb: 64 };
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

interface HookOptions {
  /** @default the project's owner */
  readonly by?: Identity;
  /** @default a FakeClock at AT */
  readonly clock?: FakeClock;
  /** The task type's actionSettings for the action. @default - none: the defaults */
  readonly settings?: SettingsInput<typeof UpdateProjectQuotaSettingsSchema>;
}

const preApprove = (directory: MemoryDirectory, size: string, { by = requester(OWNER), clock = new FakeClock(), settings }: HookOptions = {}) =>
  runHook(updateProjectQuota, 'preApprove', { data: { size }, task: { createdBy: by }, ports: { directory, clock }, ...(settings === undefined ? {} : { settings }) });

const submit = (directory: MemoryDirectory, size: string, clock = new FakeClock()) =>
  runHook(updateProjectQuota, 'submit', { data: { size }, stored: { projectId: PROJECT.id, projectName: 'apollo', fromSize: 'small' }, ports: { directory, clock } });

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

describe('update-project-quota settings', () => {
  it('defaults to a 30-day cool-down and the security level for large steps', () => {
    expect(UpdateProjectQuotaSettingsSchema.parse({})).toStrictEqual({ coolDownDays: 30, largeStepLevel: 'security' });
  });

  it('refuses a negative or fractional cool-down and a level name that is not kebab-case', () => {
    const result = UpdateProjectQuotaSettingsSchema.safeParse({ coolDownDays: -1, largeStepLevel: 'Security Team' });

    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.code])).toStrictEqual([
      ['coolDownDays', 'too_small'],
      ['largeStepLevel', 'invalid_format'],
    ]);
    expect(UpdateProjectQuotaSettingsSchema.safeParse({ coolDownDays: 1.5 }).error?.issues.map((issue) => [issue.path.join('.'), issue.code])).toStrictEqual([['coolDownDays', 'invalid_type']]);
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

  it('waits for an admin and the security level for two steps up, saying why', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await preApprove(directory, 'large');
    // Assess
    expect(result).toStrictEqual({
      valid: true,
      autoApprove: false,
      approvalLevels: ['security'],
      needsToken: false,
      notes: [
        BELONGS,
        { at: AT, step: 'size-changes', text: 'Project "apollo" has no known quota size; it counts as small.' },
        { at: AT, text: 'small to large is 2 steps up; more than 1 step up needs an admin.' },
      ],
      stored: { projectId: 'p-apollo', projectName: 'apollo', fromSize: 'small' },
      projectId: 'p-apollo',
    });
  });

  it('asks the level the task type names in largeStepLevel for two steps up', async () => {
    const directory = await setup();

    const result = await preApprove(directory, 'large', { settings: { largeStepLevel: 'finance' } });

    expect([result.valid, result.autoApprove, result.approvalLevels]).toStrictEqual([true, false, ['finance']]);
  });

  it('waits for an admin, without the large-step level, when the requester is not project_admin of the project in the directory', async () => {
    const directory = await setup();
    await directory.createUser({ email: 'max@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, 'large', { by: requester('max@example.com') });

    expect([result.valid, result.autoApprove, result.approvalLevels, result.notes.at(-1)?.text]).toStrictEqual([
      true,
      false,
      undefined,
      'The requester is not project_admin of "apollo" in the directory: an admin decides.',
    ]);
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

    const result = await preApprove(directory, 'medium', { by: requester('nomad@example.com') });

    expect([result.valid, result.autoApprove, result.notes.map((note) => note.text), result.projectId]).toStrictEqual([false, true, ['The requester nomad@example.com has no project.'], undefined]);
  });
});

describe('update-project-quota preApprove: the cool-down after a change', () => {
  it('waits for an admin for one step up 1.5 s after the last change, saying when it was and when the cool-down ends', async () => {
    // Prepare
    const directory = await setup({ ...SMALL, updatedAt: JUST_NOW });
    // Act
    const result = await preApprove(directory, 'medium');
    // Assess
    expect(result).toStrictEqual({
      valid: true,
      autoApprove: false,
      needsToken: false,
      notes: [
        BELONGS,
        { at: AT, step: 'size-changes', text: 'Project "apollo" has the small quota.' },
        {
          at: AT,
          text: 'small to medium is one step up, but the quota of "apollo" last changed at 2026-11-23T09:59:58.500Z: within the 30-day cool-down, which ends at 2026-12-23T09:59:58.500Z, an admin decides on steps up.',
        },
      ],
      stored: { projectId: 'p-apollo', projectName: 'apollo', fromSize: 'small' },
      projectId: 'p-apollo',
    });
  });

  it('still waits exactly 30 days after the change: it must be more than 30 days ago', async () => {
    // Prepare
    const directory = await setup({ ...SMALL, updatedAt: AT });
    const clock = new FakeClock();
    clock.advance(30 * DAY_SECONDS);
    // Act
    const result = await preApprove(directory, 'medium', { clock });
    // Assess
    expect([result.autoApprove, result.notes.at(-1)]).toStrictEqual([
      false,
      {
        at: '2026-12-23T10:00:00.000Z',
        text: 'small to medium is one step up, but the quota of "apollo" last changed at 2026-11-23T10:00:00.000Z: within the 30-day cool-down, which ends at 2026-12-23T10:00:00.000Z, an admin decides on steps up.',
      },
    ]);
  });

  it('needs no admin once the cool-down has passed (the clock a second past its end)', async () => {
    // Prepare
    const directory = await setup({ ...SMALL, updatedAt: AT });
    const clock = new FakeClock();
    clock.advance(30 * DAY_SECONDS + 1);
    // Act
    const result = await preApprove(directory, 'medium', { clock });
    // Assess
    expect([result.valid, result.autoApprove, result.notes.at(-1)]).toStrictEqual([true, true, { at: '2026-12-23T10:00:01.000Z', text: 'small to medium is one step up: no admin needed.' }]);
  });

  it('needs no admin when the last change was 31 days ago', async () => {
    const directory = await setup({ ...SMALL, updatedAt: '2026-10-23T10:00:00.000Z' });

    const result = await preApprove(directory, 'medium');

    expect([result.valid, result.autoApprove, result.notes.at(-1)?.text]).toStrictEqual([true, true, 'small to medium is one step up: no admin needed.']);
  });

  it('needs no admin with coolDownDays 0, even 1.5 s after the last change', async () => {
    const directory = await setup({ ...SMALL, updatedAt: JUST_NOW });

    const result = await preApprove(directory, 'medium', { settings: { coolDownDays: 0 } });

    expect([result.valid, result.autoApprove, result.notes.at(-1)?.text]).toStrictEqual([true, true, 'small to medium is one step up: no admin needed.']);
  });

  it('waits the cool-down the task type sets in coolDownDays', async () => {
    const directory = await setup({ ...SMALL, updatedAt: '2026-11-20T10:00:00.000Z' });

    const result = await preApprove(directory, 'medium', { settings: { coolDownDays: 7 } });

    expect([result.autoApprove, result.notes.at(-1)?.text]).toStrictEqual([
      false,
      'small to medium is one step up, but the quota of "apollo" last changed at 2026-11-20T10:00:00.000Z: within the 7-day cool-down, which ends at 2026-11-27T10:00:00.000Z, an admin decides on steps up.',
    ]);
  });

  it('needs no admin going down within the cool-down (as Adjutant: smaller quotas never wait)', async () => {
    const directory = await setup({ ...LARGE, updatedAt: JUST_NOW });

    const result = await preApprove(directory, 'medium');

    expect([result.valid, result.autoApprove, result.notes.at(-1)?.text]).toStrictEqual([true, true, 'large to medium is going down: no admin needed.']);
  });

  it('needs no admin for a quota that does not say when it was set', async () => {
    const directory = await setup(MEDIUM);

    const result = await preApprove(directory, 'large');

    expect([result.valid, result.autoApprove, result.notes.at(-1)?.text]).toStrictEqual([true, true, 'medium to large is one step up: no admin needed.']);
  });

  it('asks only the large-step level for two steps up within the cool-down, with one reason', async () => {
    const directory = await setup({ ...SMALL, updatedAt: JUST_NOW });

    const result = await preApprove(directory, 'large');

    expect([result.autoApprove, result.approvalLevels, result.notes.slice(2).map((note) => note.text)]).toStrictEqual([
      false,
      ['security'],
      ['small to large is 2 steps up; more than 1 step up needs an admin.'],
    ]);
  });
});

describe('update-project-quota submit', () => {
  it('applies the size\'s limits to the project, stamped with the clock\'s time', async () => {
    // Prepare
    const directory = await setup();
    const clock = new FakeClock();
    clock.advance(90);
    // Act
    const result = await submit(directory, 'medium', clock);
    // Assess
    expect(await directory.getProject(PROJECT.id)).toStrictEqual({ ...PROJECT, quota: { ...MEDIUM, updatedAt: '2026-11-23T10:01:30.000Z' } });
    expect([result.valid, result.notes]).toStrictEqual([true, [{ at: '2026-11-23T10:01:30.000Z', text: 'Quota of "apollo" set to medium (25 instances, 50 cores, 160 GB RAM).' }]]);
  });

  it('sets the same quota when retried after a crash that followed the write', async () => {
    // Prepare: the first attempt wrote the quota, then died before the task completed.
    const directory = await setup();
    await directory.setQuota(PROJECT.id, { ...MEDIUM, updatedAt: JUST_NOW });
    // Act
    const retried = await submit(directory, 'medium');
    // Assess
    expect(retried.valid).toBe(true);
    expect(await directory.getProject(PROJECT.id)).toStrictEqual({ ...PROJECT, quota: { ...MEDIUM, updatedAt: AT } });
  });

  it('refuses when the project disappeared before submit', async () => {
    const directory = await setup();
    directory.projects.clear();

    const result = await submit(directory, 'medium');

    expect([result.valid, result.notes.map((note) => note.text)]).toStrictEqual([false, ['Project p-apollo no longer exists.']]);
  });
});
