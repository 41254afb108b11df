import { ForbiddenError, NotAnApproverError } from '#core/errors';
import { engineWithFakes, identity } from '../../../test/support/engine-harness.ts';
import { expectError } from '../../../test/support/expect-error.ts';

/**
 * role-grant through the engine: its task type's access, its two approval levels and the completed
 * email. The action's own rules are in grant-role.test.ts.
 */
const MAX = 'max@example.com';
const OLGA = 'olga@example.com';
const PROJECT = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };

/** apollo with olga its admin and max its member, and two of security. */
async function setup() {
  const harness = engineWithFakes();
  await harness.directory.createProject(PROJECT);
  await harness.directory.createUser({ email: OLGA, projectId: PROJECT.id, roles: ['project_admin'], enabled: true, createdAt: 'x' });
  await harness.directory.createUser({ email: MAX, projectId: PROJECT.id, roles: ['member'], enabled: true, createdAt: 'x' });
  for (const email of ['sec1@example.com', 'sec2@example.com']) await harness.directory.createUser({ email, roles: ['security'], enabled: true, createdAt: 'x' });
  return harness;
}

describe('role-grant through the engine', () => {
  it('refuses a requester who is neither member nor project_admin (403)', async () => {
    const { engine } = await setup();

    const attempt = engine.createTask('role-grant', { role: 'member' }, identity('stranger@example.com', ['security']));

    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    await expect(attempt).rejects.toMatchObject({ status: 403 });
  });

  it('grants the role once one of the project\'s admins and then two of security approved, and tells the requester', async () => {
    // Prepare
    const harness = await setup();
    const { id } = await harness.engine.createTask('role-grant', { role: 'project_admin' }, identity(MAX, ['member']));
    const decision = await harness.engine.preApprove(id);
    await harness.engine.awaitApproval(id, 'sfn-approval-1');
    // Act
    await harness.engine.decide(id, 'approve', undefined, { approver: identity(OLGA, ['project_admin']) });
    const afterLevelOne = (await harness.engine.getTask(id)).status;
    await harness.engine.decide(id, 'approve', undefined, { approver: identity('sec1@example.com', ['security']) });
    await harness.engine.decide(id, 'approve', undefined, { approver: identity('sec2@example.com', ['security']) });
    await harness.engine.postApprove(id);
    await harness.engine.submit(id);
    await harness.engine.complete(id);
    // Assess
    expect([decision, afterLevelOne, (await harness.engine.getTask(id)).status]).toStrictEqual([{ autoApprove: false }, 'pending', 'completed']);
    expect((await harness.directory.findUser(MAX))?.roles).toStrictEqual(['member', 'project_admin']);
    const approvalsTo = harness.mailer.sent.filter((email) => email.subject === `Approval needed: role-grant ${id}`).map((email) => email.to);
    expect(approvalsTo).toStrictEqual([[OLGA], ['sec1@example.com'], ['sec2@example.com']]);
    const completed = harness.mailer.sent.at(-1);
    expect([completed?.to, completed?.subject, completed?.text]).toStrictEqual([
      [MAX],
      'You are project_admin on apollo',
      `Your account max@example.com has the role project_admin on the project "apollo", as you asked.\n\nTask: ${id}\n`,
    ]);
  });

  it('asks the admins of the requester\'s project first (the task\'s project), no admin of another project', async () => {
    // Prepare
    const harness = await setup();
    await harness.directory.createProject({ id: 'p-other', name: 'other', createdAt: PROJECT.createdAt });
    await harness.directory.createUser({ email: 'otto@example.com', projectId: 'p-other', roles: ['project_admin'], enabled: true, createdAt: 'x' });
    const { id } = await harness.engine.createTask('role-grant', { role: 'project_admin' }, identity(MAX, ['member']));

    // Act
    await harness.engine.awaitApproval(id, 'sfn-approval-1');

    // Assess
    const task = await harness.engine.getTask(id);
    expect([task.projectId, task.approval?.levels.map((level) => level.state)]).toStrictEqual([PROJECT.id, ['open', 'waiting']]);
    expect(task.approval?.levels[0]?.approvers).toStrictEqual([{ key: OLGA, email: OLGA, sub: `sub-${OLGA}`, via: 'project-admins' }]);
    await expectError(
      harness.engine.decide(id, 'approve', undefined, { approver: identity('otto@example.com', ['project_admin']) }),
      NotAnApproverError,
      `You are not an approver of level project-admins of task ${id}, the level its approval is at.`,
    );
  });
});
