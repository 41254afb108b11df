import { InvalidTransitionError } from '#core/errors';
import { ADMIN, setupOps, signUp, toAwaitingToken } from './sign-ups.ts';

/** Compensation: a sign-up that was approved and then ends without completing leaves nothing behind. */
/** The directory's accounts but the seeded admins (who approve): those the sign-up made. */
const accountsBesidesAdmins = (directory: { users: Map<string, { roles: readonly string[] }> }) => [...directory.users.values()].filter((user) => !user.roles.includes('admin')).length;
const PROJECT_ID = 'p-01jtask0000000000000000001';
const UNDONE_NOTES = ['Removed the disabled owner account apollo@example.com.', `Removed project ${PROJECT_ID} ("apollo").`];
const undoNotes = (task: { actions: readonly { notes: readonly { text: string }[] }[] } | undefined) =>
  task?.actions[0]?.notes.map((note) => note.text).filter((text) => text.startsWith('Removed') || text.startsWith('Kept')) ?? [];

describe('cancelling a sign-up after approval', () => {
  it('removes its project and disabled account, records it, and the same name and address can sign up again', async () => {
    // Prepare
    const { engine, directory } = setupOps();
    const task = await toAwaitingToken(engine);
    expect([accountsBesidesAdmins(directory), directory.projects.size]).toStrictEqual([1, 1]);

    // Act
    const cancelled = await engine.cancel(task.id, ADMIN, 'Asked by phone');
    const again = await signUp(engine);
    await engine.preApprove(again.id);

    // Assess
    expect([accountsBesidesAdmins(directory), directory.projects.size]).toStrictEqual([0, 0]);
    expect(cancelled.history.slice(-2).map((entry) => [entry.event, entry.from, entry.to])).toStrictEqual([
      ['cancelled', 'awaiting_token', 'cancelled'],
      ['undone', 'cancelled', 'cancelled'],
    ]);
    expect([cancelled.compensation?.state, cancelled.compensation?.attempts, cancelled.actions[0]?.stored]).toStrictEqual(['done', 1, {}]);
    expect(undoNotes(cancelled)).toStrictEqual(UNDONE_NOTES);
    expect((await engine.getTask(again.id)).actions[0]?.valid).toBe(true);
  });

  it('records one undo when the outbox runs it beside the request (the later run changes nothing)', async () => {
    // Prepare: the cancel's own undo held until the outbox's has run and committed.
    const { core, engine, directory } = setupOps();
    const task = await toAwaitingToken(engine);
    const deleteProject = directory.deleteProject.bind(directory);
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    directory.deleteProject = async (project) => {
      if (++calls === 1) await held;
      return deleteProject(project);
    };

    // Act
    const cancelling = engine.cancel(task.id, ADMIN);
    await new Promise((resolve) => setImmediate(resolve));
    const byOutbox = await core.streams.compensate(task.id);
    release();
    await cancelling;

    // Assess
    const stored = await engine.getTask(task.id);
    expect([byOutbox, calls, stored.history.filter((entry) => entry.event === 'undone').length, stored.compensation?.state]).toStrictEqual(['undone', 2, 1, 'done']);
  });

  it('asks for no compensation when the task was never approved', async () => {
    // Prepare
    const { engine } = setupOps();
    const task = await signUp(engine);
    await engine.preApprove(task.id);

    // Act
    const cancelled = await engine.cancel(task.id, ADMIN);

    // Assess
    expect([cancelled.status, cancelled.compensation, cancelled.history.at(-1)?.event]).toStrictEqual(['cancelled', undefined, 'cancelled']);
  });

  it('keeps the cancel when the undo fails, tells the operators, and the outbox undoes it on its next run', async () => {
    // Prepare
    const { core, engine, directory, notifications } = setupOps();
    const task = await toAwaitingToken(engine);
    const deleteProject = directory.deleteProject.bind(directory);
    let outage = true;
    directory.deleteProject = async (project) => {
      if (outage) throw new Error('directory unreachable');
      return deleteProject(project);
    };

    // Act
    const cancelled = await engine.cancel(task.id, ADMIN);
    outage = false;
    const outcome = await core.streams.compensate(task.id);
    const second = await core.streams.compensate(task.id);

    // Assess
    expect([cancelled.status, cancelled.compensation?.state, cancelled.compensation?.attempts, cancelled.compensation?.lastError]).toStrictEqual([
      'cancelled',
      'pending',
      1,
      'Error: directory unreachable',
    ]);
    expect([...notifications.notifications.values()].map((notice) => [notice.kind, notice.message])).toContainEqual([
      'error',
      `Undoing the effects of task ${task.id} (sign-up) failed; it is tried again.`,
    ]);
    expect([outcome, second]).toStrictEqual(['undone', 'nothing-pending']);
    const undone = await engine.getTask(task.id);
    expect([undone.compensation?.state, undone.compensation?.attempts, accountsBesidesAdmins(directory), directory.projects.size]).toStrictEqual(['done', 2, 0, 0]);
  });

  it('undoes what a postApprove still running when the cancel landed did, once its results are refused', async () => {
    // Prepare: the cancel lands between the project and the account postApprove creates.
    const { engine, directory } = setupOps();
    const task = await signUp(engine);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    await engine.decide(task.id, 'approve');
    const createUser = directory.createUser.bind(directory);
    directory.createUser = async (user) => {
      await engine.cancel(task.id, ADMIN, 'changed my mind');
      return createUser(user);
    };

    // Act
    const step = engine.awaitToken(task.id, 'sfn-token');

    // Assess
    await expect(step).rejects.toBeInstanceOf(InvalidTransitionError);
    const cancelled = await engine.getTask(task.id);
    expect([accountsBesidesAdmins(directory), directory.projects.size, cancelled.status, cancelled.compensation?.state]).toStrictEqual([0, 0, 'cancelled', 'done']);
    expect(cancelled.history.filter((entry) => entry.event === 'undone')).toHaveLength(2);
  });
});

describe('a sign-up whose token expired', () => {
  it('is expired and undone: its project and disabled account are removed', async () => {
    // Prepare
    const { engine, directory } = setupOps();
    const task = await toAwaitingToken(engine);

    // Act
    await engine.fail(task.id, 'AwaitToken', { Error: 'States.Timeout' });

    // Assess
    const expired = await engine.getTask(task.id);
    expect([expired.status, expired.compensation?.state, expired.history.at(-1)?.event, undoNotes(expired)]).toStrictEqual(['expired', 'done', 'undone', UNDONE_NOTES]);
    expect([accountsBesidesAdmins(directory), directory.projects.size]).toStrictEqual([0, 0]);
  });
});
