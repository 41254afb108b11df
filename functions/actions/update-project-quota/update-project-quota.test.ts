import { ForbiddenError, ValidationError } from '#core/errors';
import type { DirectoryQuota } from '#ports/user-directory';
import { crashAfterFirstCall, engineWithFakes, identity, notesOf } from '../../../test/support/engine-harness.ts';

const OWNER = 'olga@example.com';
const PROJECT = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };
const MEDIUM: DirectoryQuota = { size: 'medium', instances: 25, cores: 50, ramGb: 160 };
const LARGE: DirectoryQuota = { size: 'large', instances: 50, cores: 100, ramGb: 320 };

/** The project "apollo" (with `quota`, if given) and its owner. */
async function setup(quota?: DirectoryQuota) {
  const harness = engineWithFakes();
  await harness.directory.createProject(quota ? { ...PROJECT, quota } : PROJECT);
  await harness.directory.createUser({ email: OWNER, projectId: PROJECT.id, roles: ['project_admin'], enabled: true, createdAt: 'x' });
  return harness;
}

type Harness = Awaited<ReturnType<typeof setup>>;

async function request({ engine }: Harness, size: unknown, requester = identity(OWNER)) {
  const task = await engine.createTask('quota-change', { size }, requester);
  const decision = await engine.preApprove(task.id);
  return { id: task.id, decision, task: await engine.getTask(task.id) };
}

describe('quota-change input and access', () => {
  it('refuses a size that is not one of the sizes', async () => {
    const { engine } = await setup();

    const attempt = engine.createTask('quota-change', { size: 'huge' }, identity(OWNER));

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ errors: [{ path: 'data.size', message: 'Use one of: small, medium, large' }] });
  });

  it('refuses a requester without the project_admin role', async () => {
    const { engine } = await setup();
    await expect(engine.createTask('quota-change', { size: 'medium' }, identity(OWNER, ['member']))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('quota-change approval rule', () => {
  it('auto-approves one step up and applies the quota without a token', async () => {
    // Prepare
    const harness = await setup();
    // Act
    const { id, decision } = await request(harness, 'medium');
    const post = await harness.engine.postApprove(id);
    await harness.engine.submit(id);
    await harness.engine.complete(id);
    // Assess
    expect(decision).toStrictEqual({ autoApprove: true });
    expect(post).toStrictEqual({ tokenRequired: false });
    expect(await harness.directory.getProject(PROJECT.id)).toStrictEqual({ ...PROJECT, quota: MEDIUM });
    const task = await harness.engine.getTask(id);
    expect(task.status).toBe('completed');
    expect(notesOf(task)).toStrictEqual([
      'The requester olga@example.com belongs to project "apollo" (p-apollo).',
      'Project "apollo" has no known quota size; it counts as small.',
      'small to medium is one step up: no admin needed.',
      'Quota of "apollo" set to medium (25 instances, 50 cores, 160 GB RAM).',
    ]);
    const completed = harness.mailer.sent.at(-1);
    expect([completed?.to, completed?.subject]).toStrictEqual([[OWNER], 'Quota of apollo changed to medium']);
    expect(completed?.text).toBe(`The quota of the project "apollo" changed from small to medium.\n\nTask: ${id}\n`);
  });

  it('auto-approves going down, even by two steps', async () => {
    const harness = await setup(LARGE);

    const { id, decision, task } = await request(harness, 'small');
    await harness.engine.submit(id);

    expect(decision).toStrictEqual({ autoApprove: true });
    expect(notesOf(task).slice(1)).toStrictEqual(['Project "apollo" has the large quota.', 'large to small is going down: no admin needed.']);
    expect((await harness.directory.getProject(PROJECT.id))?.quota).toStrictEqual({ size: 'small', instances: 10, cores: 20, ramGb: 64 });
  });

  it('waits for an admin for two steps up, saying why, and applies the quota once approved', async () => {
    // Prepare
    const harness = await setup();
    const { id, decision, task } = await request(harness, 'large');
    await harness.engine.awaitApproval(id, 'sfn-approval-1');

    // Act
    await harness.engine.decide(id, 'approve', { kind: 'admin', id: 'root' });
    await harness.engine.postApprove(id);
    await harness.engine.submit(id);

    // Assess
    expect(decision).toStrictEqual({ autoApprove: false });
    expect(task.status).toBe('pending');
    expect(task.actions[0]).toMatchObject({ valid: true, autoApprove: false });
    expect(notesOf(task).at(-1)).toBe('small to large is 2 steps up; more than 1 step up needs an admin.');
    expect(harness.mailer.sent.some((email) => email.to.includes('a1@example.com') && email.subject === `Approval needed: quota-change ${id}`)).toBe(true);
    expect((await harness.directory.getProject(PROJECT.id))?.quota).toStrictEqual(LARGE);
    expect((await harness.engine.getTask(id)).approvedBy).toStrictEqual({ kind: 'admin', id: 'root' });
  });

  it('waits for an admin when the requester is not project_admin of the project in the directory', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'max@example.com', projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });

    const { decision, task } = await request(harness, 'medium', identity('max@example.com'));

    expect(decision).toStrictEqual({ autoApprove: false });
    expect(notesOf(task).at(-1)).toBe('The requester is not project_admin of "apollo" in the directory: an admin decides.');
  });

  it('fails (auto-rejected) when the project already has that size', async () => {
    const harness = await setup(MEDIUM);

    const { task } = await request(harness, 'medium');

    expect(task.status).toBe('rejected');
    expect(notesOf(task).at(-1)).toBe('Nothing to change: project "apollo" already has the medium quota.');
  });

  it('fails (auto-rejected) when the requester has no project', async () => {
    const harness = await setup();
    await harness.directory.createUser({ email: 'nomad@example.com', roles: ['project_admin'], enabled: true, createdAt: 'x' });

    const { task } = await request(harness, 'medium', identity('nomad@example.com'));

    expect(task.status).toBe('rejected');
    expect(notesOf(task)).toStrictEqual(['The requester nomad@example.com has no project.']);
  });
});

describe('quota-change submit', () => {
  it('sets the same quota when retried after a crash that followed the write', async () => {
    // Prepare: the first setQuota writes, then the attempt dies before the task completes.
    const harness = await setup();
    crashAfterFirstCall(harness.directory, 'setQuota');
    const { id } = await request(harness, 'medium');
    await expect(harness.engine.submit(id)).rejects.toThrow('Task timed out after setQuota');

    // Act
    await harness.engine.submit(id);

    // Assess
    expect((await harness.engine.getTask(id)).status).toBe('completed');
    expect(await harness.directory.getProject(PROJECT.id)).toStrictEqual({ ...PROJECT, quota: MEDIUM });
  });

  it('becomes invalid when the project disappeared before submit', async () => {
    const harness = await setup();
    const { id } = await request(harness, 'medium');
    harness.directory.projects.clear();

    await expect(harness.engine.submit(id)).rejects.toThrow(`Task ${id} became invalid during submit`);
    expect(notesOf(await harness.engine.getTask(id)).at(-1)).toBe('Project p-apollo no longer exists.');
  });
});
