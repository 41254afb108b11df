import { InvalidTransitionError, PreconditionFailedError, TaskAlreadyDecidedError } from '#core/errors';
import type { Task } from '#core/task';
import { engineWithFakes, linkSecret } from '../../support/engine-harness.ts';

/**
 * Many hands on one task: each write is guarded by what it depends on, so an unrelated write in
 * between never fails a step or a request, and a related one makes the change decide again.
 */
const ADMIN = { kind: 'admin' as const, id: 'root@example.com' };
/** How the harness's admin's votes are written: the default policy's approver. */
const VOTER = { kind: 'admin' as const, id: 'a1@example.com' };

/** Runs `during` once, the first time the directory is asked about a project name (inside preApprove). */
function duringPreApprove(harness: ReturnType<typeof engineWithFakes>, during: () => Promise<unknown>) {
  const original = harness.directory.findProjectByName.bind(harness.directory);
  let done = false;
  harness.directory.findProjectByName = async (name: string) => {
    if (!done) {
      done = true;
      await during();
    }
    return original(name);
  };
}

const signUp = (harness: ReturnType<typeof engineWithFakes>, name = 'apollo') =>
  harness.engine.createTask('sign-up', { email: `${name}@example.com`, projectName: name }, undefined);

describe('an admin note while a stage runs', () => {
  it('lands, and the stage commits its results without a retry', async () => {
    // Prepare
    const harness = engineWithFakes();
    const task = await signUp(harness);
    duringPreApprove(harness, () => harness.engine.addNote(task.id, ADMIN, 'looking at it'));
    // Act
    const result = await harness.engine.preApprove(task.id);
    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect(result).toStrictEqual({ autoApprove: false });
    expect([stored.status, stored.actions[0]?.valid, stored.adminNotes.map((note) => note.text)]).toStrictEqual(['pending', true, ['looking at it']]);
    expect(harness.core.committer.conflicts).toBe(0);
  });
});

describe('a vote that arrives while the task validates', () => {
  it('is queued, then cast when the first level of the approval opens', async () => {
    // Prepare
    const harness = engineWithFakes();
    const task = await signUp(harness);
    // Act
    const queued = await harness.engine.decide(task.id, 'approve');
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect([queued.status, queued.queuedVote?.voter]).toStrictEqual(['pending', { sub: 'sub-a1@example.com', email: 'a1@example.com' }]);
    expect([stored.status, stored.approvedBy, stored.queuedVote, stored.history.map((entry) => `${entry.event}:${entry.by.id}`)]).toStrictEqual([
      'approved',
      VOTER,
      undefined,
      ['created:anonymous', 'level-opened:system', 'approved:a1@example.com'],
    ]);
    expect(harness.workflow.resumed).toStrictEqual([{ sfnToken: 'sfn-approval', output: { decision: 'approved' } }]);
  });

  it('is dropped when preApprove finds the task invalid, and the notes say why', async () => {
    // Prepare
    const harness = engineWithFakes();
    await harness.directory.createProject({ id: 'p1', name: 'apollo', createdAt: 'x' });
    const task = await signUp(harness);
    await harness.engine.decide(task.id, 'approve');
    // Act
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect([stored.status, stored.actions[0]?.valid, stored.queuedVote, stored.approval?.levels[0]?.state]).toStrictEqual(['pending', false, undefined, 'open']);
    expect(stored.notes.map((note) => note.text)).toStrictEqual([
      `The approve by a1@example.com (sent at 2026-11-23T10:00:00.000Z, while the task validated) was not applied: Task ${task.id} cannot be approved: new-project-with-user (Project name "apollo" is taken.). Update its data first.`,
    ]);
  });
});

describe('a data update while preApprove runs on the old data', () => {
  it('wins: the stale results are dropped and the new data is validated', async () => {
    // Prepare
    const harness = engineWithFakes();
    const task = await signUp(harness, 'apollo');
    await harness.directory.createProject({ id: 'p1', name: 'apollo', createdAt: 'x' });
    duringPreApprove(harness, () => harness.engine.updateData(task.id, { email: 'apollo@example.com', projectName: 'artemis' }, ADMIN));
    // Act
    await harness.engine.preApprove(task.id);
    // Assess
    const stored = (await harness.store.get(task.id)) as Task;
    expect([stored.dataRevision, stored.actions[0]?.data.projectName, stored.actions[0]?.valid]).toStrictEqual([1, 'artemis', true]);
    expect(stored.actions[0]?.notes.map((note) => note.text)).toStrictEqual(['Data updated by root@example.com.', 'Project name "artemis" is free.', 'No account for apollo@example.com yet.']);
  });
});

describe('If-Match', () => {
  it('writes only on the version the client read, and answers 412 otherwise', async () => {
    // Prepare
    const harness = engineWithFakes();
    const task = await signUp(harness);
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    const read = (await harness.store.get(task.id)) as Task;
    await harness.engine.addNote(task.id, ADMIN, 'someone else was here');
    // Act
    const stale = harness.engine.decide(task.id, 'approve', undefined, { ifMatch: read.version });
    // Assess
    await expect(stale).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(stale).rejects.toMatchObject({ status: 412, extensions: { taskId: task.id, version: read.version + 1 } });
    expect((await harness.store.get(task.id))?.status).toBe('pending');
    await expect(harness.engine.decide(task.id, 'approve', undefined, { ifMatch: read.version + 1 })).resolves.toMatchObject({ status: 'approved' });
  });
});

describe('cancel against a token submit', () => {
  async function awaitingToken() {
    const harness = engineWithFakes();
    const task = await signUp(harness);
    await harness.engine.preApprove(task.id);
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    await harness.engine.decide(task.id, 'approve');
    await harness.engine.postApprove(task.id);
    await harness.engine.awaitToken(task.id, 'sfn-token');
    return { harness, task, token: linkSecret(harness.mailer.sent.at(-1)?.text) };
  }

  it('a cancel that comes first: the submit is refused and no submit hook runs', async () => {
    // Prepare
    const { harness, task, token } = await awaitingToken();
    await harness.engine.cancel(task.id, ADMIN, 'changed my mind');
    // Act
    const submit = harness.engine.submitToken(token, { password: 'correct horse battery' });
    // Assess
    await expect(submit).rejects.toMatchObject({ status: 410, message: 'This link no longer works: The task was cancelled.' });
    expect([(await harness.directory.findUser('apollo@example.com'))?.hasPassword, harness.directory.passwords.size]).toStrictEqual([undefined, 0]);
  });

  it('a submit that claimed the task first wins: the cancel is refused', async () => {
    // Prepare: the cancel comes while the submit hook runs.
    const { harness, task, token } = await awaitingToken();
    const activateUser = harness.directory.activateUser.bind(harness.directory);
    let cancel: Promise<unknown> | undefined;
    harness.directory.activateUser = async (email, hash) => {
      cancel = harness.engine.cancel(task.id, ADMIN).catch((error: unknown) => error);
      await cancel;
      return activateUser(email, hash);
    };
    // Act
    const completed = await harness.engine.submitToken(token, { password: 'correct horse battery' });
    // Assess
    const refused = await cancel;
    expect(completed.status).toBe('completed');
    expect(refused).toBeInstanceOf(InvalidTransitionError);
    expect(refused).toMatchObject({ status: 409 });
  });
});

describe('two approvers at once', () => {
  it('exactly one decision wins; the other is told who decided', async () => {
    // Prepare
    const harness = engineWithFakes({ operatorEmails: ['a1@example.com', 'a2@example.com'] });
    const task = await signUp(harness);
    await harness.engine.preApprove(task.id);
    await harness.engine.awaitApproval(task.id, 'sfn-approval');
    const [one, two] = harness.mailer.sent.filter((mail) => mail.subject.startsWith('Approval needed')).map((mail) => linkSecret(mail.text));
    // Act
    const results = await Promise.allSettled([harness.engine.decideByLink(one ?? '', 'approve'), harness.engine.decideByLink(two ?? '', 'reject', 'no')]);
    // Assess
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect([fulfilled.length, rejected.length]).toStrictEqual([1, 1]);
    expect(rejected[0]?.reason).toBeInstanceOf(TaskAlreadyDecidedError);
    expect((await harness.store.get(task.id))?.history.filter((entry) => entry.event === 'approved' || entry.event === 'rejected')).toHaveLength(1);
  });
});

describe('a vote that lands while the approval step opens the first level', () => {
  it('decides again on the level it finds: counted there, and the wait is resumed, so the execution does not wait for a decided task', async () => {
    // Prepare: validated and pending; the step opens the level between the vote's read and its write (which would queue it).
    const harness = engineWithFakes();
    const task = await signUp(harness);
    await harness.engine.preApprove(task.id);
    const update = harness.store.update.bind(harness.store);
    let raced = false;
    harness.store.update = async (id, change) => {
      if (!raced && change.set?.some((entry) => entry.path[0] === 'queuedVote')) {
        raced = true;
        await harness.engine.awaitApproval(task.id, 'sfn-approval');
      }
      return update(id, change);
    };
    // Act
    const decided = await harness.engine.decide(task.id, 'approve');
    // Assess
    expect([raced, decided.status, decided.approvedBy, decided.queuedVote, harness.workflow.resumed]).toStrictEqual([true, 'approved', VOTER, undefined, [{ sfnToken: 'sfn-approval', output: { decision: 'approved' } }]]);
    expect(harness.core.committer.conflicts).toBe(1);
  });
});
