import {
  ConcurrentUpdateError,
  DuplicateTaskError,
  ForbiddenError,
  IdempotencyConflictError,
  InvalidTransitionError,
  NotFoundError,
  SecretExpiredError,
  TaskArchivedError,
} from '#core/errors';
import { type Engine, engineWithFakes, linkSecret } from '../support/engine-harness.ts';

const ADMIN = { kind: 'admin' as const, id: 'root@example.com' };

const setup = () => engineWithFakes({ adminEmails: ['ops@example.com'], ttlMinutes: 60 });

const signUp = (engine: Engine, name = 'apollo', requester?: { sub: string; email?: string; roles: string[] }) =>
  engine.createTask('sign-up', { email: `${name}@example.com`, projectName: name }, requester);

/** Takes a sign-up to "awaiting its token", as the state machine would. */
async function toAwaitingToken(engine: Engine, name = 'apollo') {
  const task = await signUp(engine, name);
  await engine.preApprove(task.id);
  await engine.awaitApproval(task.id, `sfn-approval-${name}`);
  await engine.decide(task.id, 'approve', ADMIN);
  await engine.postApprove(task.id);
  await engine.awaitToken(task.id, `sfn-token-${name}`);
  return task;
}

describe('duplicates', () => {
  it('refuses an identical open sign-up (policy reject), naming the open task', async () => {
    const { engine, store } = setup();
    const first = await signUp(engine);

    const attempt = signUp(engine);

    await expect(attempt).rejects.toThrow(new DuplicateTaskError(`An identical sign-up request is already open: task ${first.id}.`));
    await expect(attempt).rejects.toMatchObject({ extensions: { existingTaskId: first.id } });
    expect(store.tasks.size).toBe(1);
  });

  it('accepts the same sign-up again once the first has ended', async () => {
    const { engine } = setup();
    const first = await signUp(engine);
    await engine.cancel(first.id, ADMIN, 'typo');

    await expect(signUp(engine)).resolves.toMatchObject({ status: 'pending' });
  });

  it('cancels the older identical reset-password (policy cancel-older), saying which task replaced it', async () => {
    const { engine, store, workflow } = setup();
    const older = await engine.createTask('reset-password', { email: 'bob@example.com' }, undefined);

    const newer = await engine.createTask('reset-password', { email: 'BOB@example.com' }, undefined);

    const cancelled = await store.get(older.id);
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.history.at(-1)?.reason).toBe(`Replaced by a newer identical request, task ${newer.id}.`);
    expect(workflow.stopped).toStrictEqual([workflow.executionArn(older.id, 1)]);
  });

  it('keys duplicates by requester for task types that need one', async () => {
    const { engine, directory } = setup();
    await directory.createUser({ email: 'a@example.com', roles: ['project_admin'], enabled: true, createdAt: 'x', projectId: 'p1' });
    await directory.createUser({ email: 'b@example.com', roles: ['project_admin'], enabled: true, createdAt: 'x', projectId: 'p2' });
    const a = { sub: 'a', email: 'a@example.com', roles: ['project_admin'] };
    const b = { sub: 'b', email: 'b@example.com', roles: ['project_admin'] };

    const first = await engine.createTask('quota-change', { size: 'medium' }, a);
    await engine.createTask('quota-change', { size: 'medium' }, b);

    expect((await engine.getTask(first.id)).status).toBe('pending');
  });
});

describe('reject and cancel', () => {
  it('rejects with a reason, records it, and emails it to the requester', async () => {
    const { engine, mailer } = setup();
    const task = await signUp(engine);
    await engine.preApprove(task.id);

    const rejected = await engine.decide(task.id, 'reject', ADMIN, 'We do not host that.');

    expect(rejected.history.at(-1)).toMatchObject({ event: 'rejected', by: ADMIN, reason: 'We do not host that.' });
    expect(rejected.expiresAt).toBe(Date.parse('2026-11-23T10:00:00.000Z') / 1000 + 3600);
    const mail = mailer.sent.at(-1);
    expect([mail?.to, mail?.subject]).toStrictEqual([['apollo@example.com'], 'Not approved: sign-up']);
    expect(mail?.text).toBe(`Your sign-up request was not approved.\n\nReason: We do not host that.\n\nTask: ${task.id}\n`);
  });

  it('cancels a task waiting for its token: stops the execution and the token link says why', async () => {
    const { engine, mailer, workflow } = setup();
    const task = await toAwaitingToken(engine);
    const token = linkSecret(mailer.sent.find((mail) => mail.subject.startsWith('Choose your password'))?.text ?? '');

    const cancelled = await engine.cancel(task.id, ADMIN, 'Asked by phone');

    expect(cancelled.status).toBe('cancelled');
    expect(workflow.stopped).toStrictEqual([workflow.executionArn(task.id, 1)]);
    await expect(engine.submitToken(token, { password: 'long enough password' })).rejects.toThrow(
      new SecretExpiredError('This link no longer works: The task was cancelled.'),
    );
    await expect(engine.cancel(task.id, ADMIN)).rejects.toBeInstanceOf(InvalidTransitionError);
    expect(mailer.sent.at(-1)?.subject).toBe('Cancelled: sign-up');
  });
});

describe('tracking', () => {
  it('keeps an ended task ttlMinutes, or expires it as it ends when tracking is off', async () => {
    const kept = engineWithFakes({ ttlMinutes: 60 });
    const untracked = engineWithFakes({ ttlMinutes: 60, trackActions: false });
    const now = Date.parse('2026-11-23T10:00:00.000Z') / 1000;

    const a = await kept.engine.cancel((await signUp(kept.engine)).id, ADMIN);
    const b = await untracked.engine.cancel((await signUp(untracked.engine)).id, ADMIN);

    expect([a.expiresAt, b.expiresAt]).toStrictEqual([now + 3600, now]);
  });
});

describe('archived tasks', () => {
  it('tells an admin or the requester that a missing task was archived, and where; others get a plain 404', async () => {
    const index = { taskId: '01JARCHIVED0000000000000001', archivedAt: '2026-11-20T00:00:00.000Z', location: 's3://b/archive/2026/11/20/1-1.jsonl', requester: 'u-1' };
    const { engine } = engineWithFakes({ archive: { findTask: async (id) => (id === index.taskId ? index : undefined) } });

    const asAdmin = engine.getTaskFor(index.taskId, { sub: 'root', roles: ['admin'] });
    const asRequester = engine.getTaskFor(index.taskId, { sub: 'u-1', roles: [] });
    const asStranger = engine.getTaskFor(index.taskId, { sub: 'u-2', roles: [] });

    await expect(asAdmin).rejects.toThrow(new TaskArchivedError(`Task ${index.taskId} ended and was archived at 2026-11-20T00:00:00.000Z; it is in s3://b/archive/2026/11/20/1-1.jsonl.`));
    await expect(asAdmin).rejects.toMatchObject({ status: 404, extensions: { location: 's3://b/archive/2026/11/20/1-1.jsonl' } });
    await expect(asRequester).rejects.toBeInstanceOf(TaskArchivedError);
    await expect(asStranger).rejects.toThrow(new NotFoundError(`There is no task ${index.taskId}.`));
  });
});

describe('self-approval', () => {
  it('refuses an admin approving their own request, unless the task type allows it', async () => {
    const { engine } = setup();
    const me = { sub: 'u-1', email: 'me@example.com', roles: ['admin'] };
    const task = await signUp(engine, 'mine', me);
    await engine.preApprove(task.id);

    const own = engine.decide(task.id, 'approve', { kind: 'admin', id: 'me@example.com' }, undefined, { approver: me });
    await expect(own).rejects.toBeInstanceOf(ForbiddenError);
    await expect(own).rejects.toMatchObject({ status: 403, message: `You asked for task ${task.id}; another approver must decide it.` });
    await expect(engine.decide(task.id, 'approve', ADMIN, undefined, { approver: { sub: 'other' } })).resolves.toMatchObject({ status: 'approved' });
  });
});

describe('update, notes, reissue', () => {
  it('updates a pending task, re-runs preApprove, and sends no second initial or approval email', async () => {
    const { engine, directory, mailer } = setup();
    await directory.createProject({ id: 'p0', name: 'taken', createdAt: 'x' });
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'taken' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-1');
    const sentBefore = mailer.sent.length;

    const updated = await engine.updateData(task.id, { email: 'ann@example.com', projectName: 'free-name' }, ADMIN);

    expect(updated.actions[0]?.valid).toBe(true);
    expect(updated.actions[0]?.data).toStrictEqual({ email: 'ann@example.com', projectName: 'free-name' });
    expect(mailer.sent.length).toBe(sentBefore);
    await expect(engine.decide(task.id, 'approve', ADMIN)).resolves.toMatchObject({ status: 'approved' });
  });

  it('refuses to update a task that is no longer pending', async () => {
    const { engine } = setup();
    const task = await toAwaitingToken(engine);
    await expect(engine.updateData(task.id, { email: 'x@example.com', projectName: 'other' }, ADMIN)).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('adds admin notes with their author', async () => {
    const { engine } = setup();
    const task = await signUp(engine);
    const noted = await engine.addNote(task.id, ADMIN, 'Called the requester.');
    expect(noted.adminNotes).toStrictEqual([{ at: '2026-11-23T10:00:00.000Z', by: 'root@example.com', text: 'Called the requester.' }]);
  });

  it('reissues a token: the old link is replaced, the new one works and expires later', async () => {
    const { engine, mailer, clock } = setup();
    const task = await toAwaitingToken(engine);
    const tokenMails = () => mailer.sent.filter((mail) => mail.subject.startsWith('Choose your password'));
    const oldToken = linkSecret(tokenMails()[0]?.text ?? '');
    clock.advance(3600);

    await engine.reissueToken(task.id, ADMIN);

    const newToken = linkSecret(tokenMails()[1]?.text ?? '');
    await expect(engine.viewToken(oldToken)).rejects.toThrow(new SecretExpiredError('This link no longer works: A newer link was sent.'));
    expect((await engine.viewToken(newToken)).validUntil).toBe('2026-11-24T11:00:00.000Z');
    await expect(engine.submitToken(newToken, { password: 'long enough password' })).resolves.toMatchObject({ status: 'completed' });
  });
});

describe('failures and retry', () => {
  it('fails the task when postApprove throws, tells the operators, and retries from PostApprove without redoing work', async () => {
    const { engine, store, directory, mailer, workflow } = setup();
    const task = await signUp(engine);
    await engine.preApprove(task.id);
    await engine.decide(task.id, 'approve', ADMIN);
    const createUser = directory.createUser.bind(directory);
    directory.createUser = async () => {
      throw new Error('directory unavailable');
    };
    await expect(engine.postApprove(task.id)).rejects.toThrow('directory unavailable');

    // The state machine's catch hands the failure to the engine.
    await engine.fail(task.id, 'PostApprove', { Error: 'Error', Cause: '{"errorMessage":"directory unavailable"}' });

    const failed = await store.get(task.id);
    expect([failed?.status, failed?.failure]).toStrictEqual(['failed', { step: 'PostApprove', error: 'Error', cause: '{"errorMessage":"directory unavailable"}' }]);
    expect(failed?.actions[0]?.stored).toStrictEqual({ projectId: `p-${task.id.toLowerCase()}` });
    const [notification] = [...store.notifications.values()].filter((n) => n.error);
    expect(notification?.message).toBe(`Task ${task.id} (sign-up) failed in PostApprove. An admin can retry it: POST /v1/tasks/${task.id}/retry.`);
    expect(mailer.sent.at(-1)?.to).toStrictEqual(['ops@example.com']);

    directory.createUser = createUser;
    const retried = await engine.retry(task.id, ADMIN);

    expect([retried.status, retried.attempt, retried.failure]).toStrictEqual(['approved', 2, undefined]);
    expect(workflow.started.at(-1)).toStrictEqual({ taskId: task.id, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, resumeAt: 'PostApprove', attempt: 2 });
    expect(await engine.postApprove(task.id)).toStrictEqual({ tokenRequired: true });
    expect([...directory.projects.keys()]).toStrictEqual(['apollo']);
    await expect(engine.retry(task.id, ADMIN)).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('fails an approved task at PostApprove when its execution no longer waits for the decision', async () => {
    // Prepare
    const { engine, store, workflow } = setup();
    const task = await signUp(engine);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    workflow.resume = async () => false;

    // Act
    const decided = await engine.decide(task.id, 'approve', ADMIN);

    // Assess: the approval is kept, and the failure says what an admin can do.
    expect([decided.status, decided.approvedBy, decided.failure]).toStrictEqual([
      'failed',
      ADMIN,
      { step: 'PostApprove', error: 'WaitOver', cause: 'The approval was saved but the workflow could not be resumed: WaitOver: The execution no longer waits for this decision (its wait timed out or it was stopped).' },
    ]);
    expect([...store.notifications.values()].filter((n) => n.error).map((n) => n.message)).toStrictEqual([
      `Task ${task.id} (sign-up) failed in PostApprove. An admin can retry it: POST /v1/tasks/${task.id}/retry.`,
    ]);
  });

  it('completes a token submit that raced another write to the task (e.g. the step recording its token email)', async () => {
    // Prepare: the first save of the submit finds the task changed under it.
    const { engine, store, mailer } = setup();
    const task = await toAwaitingToken(engine);
    const token = linkSecret(mailer.sent.find((mail) => mail.subject.startsWith('Choose your password'))?.text ?? '');
    const save = store.save.bind(store);
    let raced = false;
    store.save = async (next, options) => {
      if (!raced && next.status === 'awaiting_token') {
        raced = true;
        await engine.addNote(task.id, ADMIN, 'Meanwhile.');
      }
      return save(next, options);
    };

    // Act
    const completed = await engine.submitToken(token, { password: 'a long enough password' });

    // Assess
    expect([raced, completed.status, completed.adminNotes.map((note) => note.text)]).toStrictEqual([true, 'completed', ['Meanwhile.']]);
  });

  it('sends the completed email from the token submit when the execution no longer waits for the token', async () => {
    // Prepare
    const { engine, mailer, workflow } = setup();
    const task = await toAwaitingToken(engine);
    const token = linkSecret(mailer.sent.find((mail) => mail.subject.startsWith('Choose your password'))?.text ?? '');
    workflow.resume = async () => false;

    // Act
    const completed = await engine.submitToken(token, { password: 'a long enough password' });

    // Assess
    expect([completed.status, (await engine.getTask(task.id)).sentEmails.includes('completed')]).toStrictEqual(['completed', true]);
    expect(mailer.sent.at(-1)?.subject).toBe('Your project apollo is ready');
  });

  it('ignores a failure reported by an execution the task has moved on from, and heeds its current one', async () => {
    // Prepare: a task failed once and retried, so attempt 2 is its current execution.
    const { engine, store } = setup();
    const task = await signUp(engine);
    await engine.preApprove(task.id);
    await engine.fail(task.id, 'PreApprove', { Error: 'Error' }, task.executionArn);
    const retried = await engine.retry(task.id, ADMIN);

    // Act: the first execution's approval timeout reports in, then the current one fails.
    await engine.fail(task.id, 'AwaitApproval', { Error: 'States.Timeout' }, task.executionArn);
    const afterStale = await store.get(task.id);
    await engine.fail(task.id, 'AwaitApproval', { Error: 'Error' }, retried.executionArn);

    // Assess
    expect([task.executionArn === retried.executionArn, afterStale?.status, afterStale?.version]).toStrictEqual([false, 'pending', retried.version]);
    expect([(await store.get(task.id))?.status, (await store.get(task.id))?.failure?.step]).toStrictEqual(['failed', 'AwaitApproval']);
  });

  it('records a failed completed email as an error notification, leaving the task completed', async () => {
    const { engine, store } = setup();
    const task = await signUp(engine);
    await engine.fail(task.id, 'Complete', { Error: 'TransientError', Cause: 'SES throttled' });
    expect((await store.get(task.id))?.status).toBe('pending');
    expect([...store.notifications.values()].map((n) => n.message)).toStrictEqual([`The completed email of task ${task.id} could not be sent.`]);
  });
});

describe('operator notifications', () => {
  it('notifies the operators that a task needs approval, and acknowledges one or many', async () => {
    const { engine, mailer } = setup();
    const task = await signUp(engine);
    await engine.preApprove(task.id);

    const page = await engine.listNotifications({ acknowledged: false, limit: 10 });
    expect(page.items.map((n) => [n.kind, n.message, n.emailedAt])).toStrictEqual([
      ['needs-approval', `'sign-up' task ${task.id} needs approval.`, '2026-11-23T10:00:00.000Z'],
    ]);
    expect(mailer.sent.at(-1)?.subject).toBe(`Notice - sign-up ${task.id}`);

    const result = await engine.acknowledge([page.items[0]?.id ?? '', 'nope'], ADMIN);

    expect(result).toStrictEqual({ acknowledged: [page.items[0]?.id], unknown: ['nope'] });
    expect((await engine.getNotification(page.items[0]?.id ?? '')).acknowledgedBy).toBe('root@example.com');
  });

  it('keeps a notification whose email failed, and records that failure as an error', async () => {
    const { engine, mailer, store } = setup();
    mailer.send = async () => {
      throw new Error('SES down');
    };
    const task = await signUp(engine);
    await engine.fail(task.id, 'PreApprove', { Error: 'Error', Cause: 'boom' });

    const messages = [...store.notifications.values()].map((n) => [n.kind, n.message, n.emailedAt]);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toStrictEqual(['error', `Notification ${[...store.notifications.values()][0]?.id} could not be emailed to the operators.`, undefined]);
  });
});

describe('idempotent creation', () => {
  it('answers a repeat with the first answer, refuses another body with the same key', async () => {
    const { engine, store } = setup();
    let runs = 0;
    const create = async () => ({ status: 202, body: { n: ++runs } });

    const first = await engine.idempotent('anonymous#key-1', { a: 1, b: 2 }, create);
    const repeat = await engine.idempotent('anonymous#key-1', { b: 2, a: 1 }, create);

    expect(first).toStrictEqual({ status: 202, body: { n: 1 }, replayed: false });
    expect(repeat).toStrictEqual({ status: 202, body: { n: 1 }, replayed: true });
    await expect(engine.idempotent('anonymous#key-1', { a: 3 }, create)).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(store.idempotency.size).toBe(1);
  });

  it('frees the key when the request fails, and says a running one is in progress', async () => {
    const { engine, store } = setup();
    await expect(
      engine.idempotent('k', {}, async () => {
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    expect(store.idempotency.size).toBe(0);
    store.idempotency.set('k2', { state: 'in-progress', fingerprint: '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' });
    await expect(engine.idempotent('k2', {}, async () => ({ status: 202, body: {} }))).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });
});
