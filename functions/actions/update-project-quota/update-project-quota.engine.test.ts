import { ForbiddenError } from '#core/errors';
import { engineWithFakes, identity } from '../../../test/support/engine-harness.ts';

/**
 * quota-change through the engine: its task type's access, the approval path and the completed
 * email. The action's own rules are in update-project-quota.test.ts.
 */
const OWNER = 'olga@example.com';
const SECURITY = ['s1@example.com', 's2@example.com'];
const PROJECT = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };

async function setup() {
  const harness = engineWithFakes();
  await harness.directory.createProject(PROJECT);
  await harness.directory.createUser({ email: OWNER, projectId: PROJECT.id, roles: ['project_admin'], enabled: true, createdAt: 'x' });
  return harness;
}

describe('quota-change through the engine', () => {
  it('refuses a requester without the project_admin role (403)', async () => {
    const { engine } = await setup();

    const attempt = engine.createTask('quota-change', { size: 'medium' }, identity(OWNER, ['member']));

    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    await expect(attempt).rejects.toMatchObject({ status: 403 });
  });

  it('runs one step up without an admin or a token, and tells the requester', async () => {
    // Prepare
    const harness = await setup();
    const { id } = await harness.engine.createTask('quota-change', { size: 'medium' }, identity(OWNER));
    // Act
    const decision = await harness.engine.preApprove(id);
    const post = await harness.engine.postApprove(id);
    await harness.engine.submit(id);
    await harness.engine.complete(id);
    // Assess
    expect([decision, post, (await harness.engine.getTask(id)).status]).toStrictEqual([{ autoApprove: true }, { tokenRequired: false }, 'completed']);
    const completed = harness.mailer.sent.at(-1);
    expect([completed?.to, completed?.subject, completed?.text]).toStrictEqual([
      [OWNER],
      'Quota of apollo changed to medium',
      `The quota of the project "apollo" changed from small to medium.\n\nTask: ${id}\n`,
    ]);
  });

  it('asks an admin, then two of security, for two steps up, and applies the quota once they approved', async () => {
    // Prepare
    const harness = await setup();
    for (const email of SECURITY) await harness.directory.createUser({ email, roles: ['security'], enabled: true, createdAt: 'x' });
    const { id } = await harness.engine.createTask('quota-change', { size: 'large' }, identity(OWNER));
    const decision = await harness.engine.preApprove(id);
    await harness.engine.awaitApproval(id, 'sfn-approval-1');
    // Act
    const afterAdmin = await harness.engine.decide(id, 'approve');
    await harness.engine.decide(id, 'approve', undefined, { approver: identity(SECURITY[0], ['security']) });
    const approved = await harness.engine.decide(id, 'approve', undefined, { approver: identity(SECURITY[1], ['security']) });
    await harness.engine.postApprove(id);
    await harness.engine.submit(id);
    // Assess
    expect(decision).toStrictEqual({ autoApprove: false });
    expect([afterAdmin.status, approved.status, approved.approval?.levels.map((level) => `${level.name}:${level.state}:${level.quorum}`)]).toStrictEqual([
      'pending',
      'approved',
      ['admins:approved:1', 'security:approved:2'],
    ]);
    expect(harness.mailer.sent.filter((email) => email.subject === `Approval needed: quota-change ${id}`).map((email) => email.to[0])).toStrictEqual(['a1@example.com', ...SECURITY]);
    expect((await harness.directory.getProject(PROJECT.id))?.quota).toStrictEqual({ size: 'large', instances: 50, cores: 100, ramGb: 320, updatedAt: '2026-11-23T10:00:00.000Z' });
    expect((await harness.engine.getTask(id)).approvedBy).toStrictEqual({ kind: 'approver', id: 's2@example.com' });
  });
});
