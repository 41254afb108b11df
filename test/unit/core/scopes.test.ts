import { ForbiddenError, NotFoundError, UnauthorizedError } from '#core/errors';
import type { Identity } from '#core/identity';
import type { Task } from '#core/task';
import { engineWithFakes, identity, linkSecret } from '../../support/engine-harness.ts';
import { expectError } from '../../support/expect-error.ts';

/**
 * Scoped access (issue 12, point 5) at the engine: a task records its project when an action finds
 * it; `GET /v1/tasks` answers by role; project admins cancel and reissue tokens of their project's
 * tasks only. Identities are `sub-<email>`, the ids MemoryDirectory gives its accounts.
 */
const APOLLO = { id: 'p-apollo', name: 'apollo', createdAt: '2026-11-01T00:00:00.000Z' };
const ZEUS = { id: 'p-zeus', name: 'zeus', createdAt: '2026-11-01T00:00:00.000Z' };
const ADMIN: Identity = { sub: 'root', email: 'root@example.com', roles: ['admin'] };
const NOT_OF_PROJECT = 'This needs the role "admin", or "project_admin" of the task\'s project.';

const olga = identity('olga@example.com', ['project_admin']);
const pat = identity('pat@example.com', ['project_admin']);
const max = identity('max@example.com', ['member']);
const bob = identity('bob@example.com', ['project_admin']);
const nomad = identity('nomad@example.com', ['project_admin']);

/**
 * Apollo: olga and pat its admins, max a member; zeus: bob its admin; nomad of no project. Tasks, in
 * this order: pat's invitation (apollo, waiting for the invitee's token), olga's and max's email
 * changes (no project), bob's quota change (zeus), an anonymous sign-up (no project yet).
 */
async function setup() {
  const harness = engineWithFakes();
  const { engine, directory } = harness;
  await directory.createProject(APOLLO);
  await directory.createProject(ZEUS);
  const account = (email: string, roles: string[], projectId?: string) =>
    directory.createUser({ email, roles, enabled: true, hasPassword: true, createdAt: 'x', ...(projectId === undefined ? {} : { projectId }) });
  await account('olga@example.com', ['project_admin'], APOLLO.id);
  await account('pat@example.com', ['project_admin'], APOLLO.id);
  await account('max@example.com', ['member'], APOLLO.id);
  await account('bob@example.com', ['project_admin'], ZEUS.id);
  await account('nomad@example.com', ['project_admin']);
  const invite = await engine.createTask('invite-user', { email: 'ivy@example.com', roles: ['member'] }, pat);
  await engine.awaitApproval(invite.id, 'sfn-approval-1');
  await engine.awaitToken(invite.id, 'sfn-token-1');
  const olgaEmail = await engine.createTask('update-email', { newEmail: 'olga@new.example.com' }, olga);
  const maxEmail = await engine.createTask('update-email', { newEmail: 'max@new.example.com' }, max);
  const quota = await engine.createTask('quota-change', { size: 'medium' }, bob);
  await engine.preApprove(quota.id);
  const signUp = await engine.createTask('sign-up', { email: 'sue@example.com', projectName: 'hera' }, undefined);
  const read = (id: string) => engine.getTask(id);
  return { ...harness, tasks: { invite: await read(invite.id), olgaEmail: await read(olgaEmail.id), maxEmail: await read(maxEmail.id), quota: await read(quota.id), signUp: await read(signUp.id) } };
}

const ids = (tasks: readonly Task[]) => tasks.map((task) => task.id);

describe('a task knows its project', () => {
  it('records the project the requester-project step found, committed with preApprove, and none for a task of no project', async () => {
    // Act
    const { tasks } = await setup();

    // Assess
    expect([tasks.invite.projectId, tasks.quota.projectId, tasks.olgaEmail.projectId, tasks.signUp.projectId]).toStrictEqual(['p-apollo', 'p-zeus', undefined, undefined]);
    expect([tasks.invite.status, tasks.quota.status]).toStrictEqual(['awaiting_token', 'approved']);
  });

  it("gives a sign-up the project its postApprove created, in the write that starts the token's wait, so its owner lists it", async () => {
    // Prepare
    const { engine, directory } = await setup();
    const { id } = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'athena' }, undefined);
    await engine.awaitApproval(id, 'sfn-approval-2');
    await engine.decide(id, 'approve');

    // Act
    await engine.awaitToken(id, 'sfn-token-2');

    // Assess
    const task = await engine.getTask(id);
    const projectId = `p-${id.toLowerCase()}`;
    expect([task.status, task.projectId, (await directory.findUser('ann@example.com'))?.projectId]).toStrictEqual(['awaiting_token', projectId, projectId]);
    const owner = identity('ann@example.com', ['project_admin']);
    expect(ids((await engine.listTasksFor(owner, { limit: 10 })).page.items)).toStrictEqual([id]);
  });
});

describe('GET /v1/tasks by role', () => {
  it("answers an admin every task, a project admin their project's and their own, a member and a caller of no project their own", async () => {
    // Prepare
    const { engine, tasks } = await setup();
    const { invite, olgaEmail, maxEmail, quota, signUp } = tasks;

    // Act
    const lists = await Promise.all([ADMIN, olga, pat, max, bob, nomad].map((caller) => engine.listTasksFor(caller, { limit: 10 })));

    // Assess
    expect(lists.map(({ page, asAdmin }) => [ids(page.items), asAdmin])).toStrictEqual([
      [ids([signUp, quota, maxEmail, olgaEmail, invite]), true],
      [ids([olgaEmail, invite]), false],
      [ids([invite]), false],
      [ids([maxEmail]), false],
      [ids([quota]), false],
      [[], false],
    ]);
  });

  it('applies the filters within the caller\'s scope, and refuses a caller without a bearer token', async () => {
    // Prepare
    const { engine, tasks } = await setup();

    // Act
    const invitations = await engine.listTasksFor(olga, { type: 'invite-user', limit: 10 });
    const waiting = await engine.listTasksFor(olga, { status: 'awaiting_token', limit: 10 });
    const others = await engine.listTasksFor(olga, { requester: max.sub, limit: 10 });
    const anonymous = engine.listTasksFor(undefined, { limit: 10 });

    // Assess
    expect([ids(invitations.page.items), ids(waiting.page.items), ids(others.page.items)]).toStrictEqual([[tasks.invite.id], [tasks.invite.id], []]);
    await expectError(anonymous, UnauthorizedError, 'This needs a bearer token.');
  });

  it("lets a project admin read a task of their project, and answers 404 to another project's admin", async () => {
    // Prepare
    const { engine, tasks } = await setup();

    // Act
    const asOlga = await engine.getTaskFor(tasks.invite.id, olga);
    const asBob = engine.getTaskFor(tasks.invite.id, bob);
    const asMax = engine.getTaskFor(tasks.invite.id, max);

    // Assess
    expect([asOlga.task.id, asOlga.asAdmin]).toStrictEqual([tasks.invite.id, false]);
    await expectError(asBob, NotFoundError, `There is no task ${tasks.invite.id}.`);
    await expectError(asMax, NotFoundError, `There is no task ${tasks.invite.id}.`);
  });
});

describe("project admins' cancel and token reissue", () => {
  it("reissue a token and cancel a task of their project, recorded as the project admin who did", async () => {
    // Prepare
    const { engine, mailer, tasks } = await setup();
    const operator = await engine.operatorOf(olga);

    // Act
    const reissued = await engine.reissueToken(tasks.invite.id, operator.actor, undefined, operator.projectId);
    const newLink = linkSecret(mailer.sent.filter((mail) => mail.to.includes('ivy@example.com')).at(-1)?.text);
    const cancelled = await engine.cancel(tasks.invite.id, operator.actor, 'Wrong address.', undefined, operator.projectId);

    // Assess
    expect(operator).toStrictEqual({ actor: { kind: 'project_admin', id: 'olga@example.com' }, projectId: 'p-apollo' });
    expect([reissued.rounds, reissued.notes.at(-1)?.text, newLink.length]).toStrictEqual([2, 'Token reissued by olga@example.com.', 43]);
    expect([cancelled.status, cancelled.history.at(-1)]).toStrictEqual([
      'cancelled',
      { at: '2026-11-23T10:00:00.000Z', by: { kind: 'project_admin', id: 'olga@example.com' }, event: 'cancelled', from: 'awaiting_token', to: 'cancelled', reason: 'Wrong address.' },
    ]);
  });

  it("refuse another project's task, a task of no project, a member and a project admin of no project (403), and change nothing", async () => {
    // Prepare
    const { engine, tasks } = await setup();
    const asBob = await engine.operatorOf(bob);
    const asOlga = await engine.operatorOf(olga);

    // Act
    const attempts = await Promise.allSettled([
      engine.cancel(tasks.invite.id, asBob.actor, undefined, undefined, asBob.projectId),
      engine.reissueToken(tasks.invite.id, asBob.actor, undefined, asBob.projectId),
      // Even with an If-Match of another version: 403 first, so nothing about the task is learnt.
      engine.cancel(tasks.invite.id, asBob.actor, undefined, 99, asBob.projectId),
      engine.cancel(tasks.olgaEmail.id, asOlga.actor, undefined, undefined, asOlga.projectId),
      engine.operatorOf(max),
      engine.operatorOf(nomad),
    ]);

    // Assess
    const refusal = { status: 'rejected', reason: new ForbiddenError(NOT_OF_PROJECT) };
    expect(attempts).toStrictEqual(Array.from({ length: 6 }, () => refusal));
    expect(attempts.map((attempt) => attempt.status === 'rejected' && (attempt.reason as ForbiddenError).status)).toStrictEqual([403, 403, 403, 403, 403, 403]);
    expect(await engine.getTask(tasks.invite.id)).toStrictEqual(tasks.invite);
    expect(await engine.getTask(tasks.olgaEmail.id)).toStrictEqual(tasks.olgaEmail);
    await expectError(engine.operatorOf(undefined), UnauthorizedError, 'This needs a bearer token.');
  });

  it('let admins act on any task, as admins, and answer 404 for a task that is not there', async () => {
    // Prepare
    const { engine, tasks } = await setup();
    const asAdmin = await engine.operatorOf(ADMIN);
    const asOlga = await engine.operatorOf(olga);

    // Act
    const cancelled = await engine.cancel(tasks.quota.id, asAdmin.actor, undefined, undefined, asAdmin.projectId);
    const missing = engine.cancel('01JTASK0000000000000000099', asOlga.actor, undefined, undefined, asOlga.projectId);

    // Assess
    expect([asAdmin, cancelled.status]).toStrictEqual([{ actor: { kind: 'admin', id: 'root@example.com' } }, 'cancelled']);
    await expectError(missing, NotFoundError, 'There is no task 01JTASK0000000000000000099.');
  });

  it("refuse in the write too: a task moved to another project since it was read is not changed (the commit requires the project)", async () => {
    // Prepare: the caller read the task while it was apollo's; it is zeus's now.
    const { core, store, tasks } = await setup();
    const stale = tasks.invite;
    store.tasks.set(stale.id, { ...stale, projectId: 'p-zeus', version: stale.version + 1 });

    // Act
    const attempt = core.committer.commit(stale.id, () => ({ write: { set: [{ path: ['notes'], value: [] }], remove: [], append: [], conditions: [] }, result: undefined }), { current: stale, projectId: 'p-apollo' });

    // Assess
    await expectError(attempt, ForbiddenError, NOT_OF_PROJECT);
    expect(store.tasks.get(stale.id)?.version).toBe(stale.version + 1);
  });
});
