import { InvalidTransitionError, SecretExpiredError } from '#core/errors';
import { engineWithFakes, linkSecret } from '../../support/engine-harness.ts';
import { expectError } from '../../support/expect-error.ts';
import { ADMIN, setupOps, signUp, toAwaitingToken } from './sign-ups.ts';
import type { RecordingMailer } from '../../support/fakes.ts';

const setupTwo = () => engineWithFakes({ operatorEmails: ['a1@example.com', 'a2@example.com'] });

const approvalMails = (mailer: RecordingMailer) => mailer.sent.filter((mail) => mail.subject.startsWith('Approval needed'));

const setup = setupOps;

describe('fail (the state machine\'s catch-all)', () => {
  it('rejects a task whose approval timed out, revokes its links and tells the requester why', async () => {
    const { engine, mailer, store } = setupTwo();
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-1');

    await engine.fail(task.id, 'AwaitApproval', { Error: 'States.Timeout' });

    const stored = await store.get(task.id);
    expect([stored?.status, stored?.history.at(-1)?.event, stored?.history.at(-1)?.reason]).toStrictEqual(['rejected', 'approval-expired', 'No decision within 168 hours.']);
    expect(mailer.sent.at(-1)?.to).toStrictEqual(['ann@example.com']);
    expect(mailer.sent.at(-1)?.text).toContain('Reason: No decision within 168 hours.');
    await expectError(engine.decideByLink(linkSecret(approvalMails(mailer)[0]?.text ?? ''), 'approve'), SecretExpiredError, 'This link no longer works: The approval request expired.');
  });

  it('expires a task whose token was not used in time', async () => {
    const { engine, store, mailer } = setupTwo();
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    await engine.decide(task.id, 'approve');
    await engine.postApprove(task.id);
    await engine.awaitToken(task.id, 'sfn-token');
    const token = linkSecret(mailer.sent.at(-1)?.text);

    await engine.fail(task.id, 'AwaitToken', { Error: 'States.Timeout' });

    expect((await store.get(task.id))?.status).toBe('expired');
    const stale = engine.viewToken(token);
    await expect(stale).rejects.toBeInstanceOf(SecretExpiredError);
    await expect(stale).rejects.toMatchObject({ status: 410, message: 'This link no longer works: The task expired.' });
  });

  it('marks other errors failed and keeps the error for operators', async () => {
    const { engine, store } = setupTwo();
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);

    await engine.fail(task.id, 'AwaitToken', { Error: 'Error', Cause: '{"errorMessage":"boom"}' });

    expect((await store.get(task.id))?.failure).toStrictEqual({ step: 'AwaitToken', error: 'Error', cause: '{"errorMessage":"boom"}', retryable: true, dataRevision: 0 });
    expect((await store.get(task.id))?.status).toBe('failed');
  });

  it('fails a task whose execution runs an earlier definition (a state name it no longer has), and a retry starts it afresh', async () => {
    // Prepare: approved under the previous definition, whose PostApprove state the steps Lambda no longer knows.
    const { engine, store, workflow } = setupTwo();
    const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    await engine.decide(task.id, 'approve');

    // Act
    await engine.fail(task.id, 'PostApprove', { Error: 'ZodError', Cause: 'Invalid input: step' }, task.executionArn);
    const failed = await store.get(task.id);
    const retried = await engine.retry(task.id, ADMIN);

    // Assess
    expect([failed?.status, failed?.failure?.step]).toStrictEqual(['failed', 'PostApprove']);
    expect([retried.status, workflow.started.at(-1)]).toStrictEqual(['approved', { taskId: task.id, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, attempt: 2 }]);
  });
});
describe('failures and retry', () => {
  it('fails the task when postApprove throws, tells the operators, and a retry carries on from the start without redoing work', async () => {
    const { notifications, engine, store, directory, mailer, workflow } = setup();
    const task = await signUp(engine);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    await engine.decide(task.id, 'approve');
    const createUser = directory.createUser.bind(directory);
    directory.createUser = async () => {
      throw new Error('directory unavailable');
    };
    await expect(engine.awaitToken(task.id, 'sfn-token-1')).rejects.toThrow('directory unavailable');

    // The state machine's catch hands the failure to the engine.
    await engine.fail(task.id, 'AwaitToken', { Error: 'Error', Cause: '{"errorMessage":"directory unavailable"}' });

    const failed = await store.get(task.id);
    expect([failed?.status, failed?.failure, failed?.postApprovedAt]).toStrictEqual(['failed', { step: 'AwaitToken', error: 'Error', cause: '{"errorMessage":"directory unavailable"}', retryable: true, dataRevision: 0 }, undefined]);
    expect(failed?.actions[0]?.stored).toStrictEqual({ projectId: `p-${task.id.toLowerCase()}` });
    const [notification] = [...notifications.notifications.values()].filter((n) => n.error);
    expect(notification?.message).toBe(`Task ${task.id} (sign-up) failed in AwaitToken. An admin can retry it: POST /v1/tasks/${task.id}/retry.`);
    expect(mailer.sent.at(-1)?.to).toStrictEqual(['ops@example.com']);

    directory.createUser = createUser;
    const retried = await engine.retry(task.id, ADMIN);

    // The new execution starts at the start: AwaitApproval finds the task approved and answers at once; AwaitToken runs postApprove again.
    expect([retried.status, retried.attempt, retried.failure, retried.history.at(-1)?.reason]).toStrictEqual(['approved', 2, undefined, 'Retried as attempt 2 (it failed in AwaitToken)']);
    expect(workflow.started.at(-1)).toStrictEqual({ taskId: task.id, approvalTimeoutSeconds: 604800, tokenTimeoutSeconds: 604800, attempt: 2 });
    await engine.awaitApproval(task.id, 'sfn-approval-2');
    await engine.awaitToken(task.id, 'sfn-token-2');
    // The first resume is the vote's (attempt 1's wait); the retry's wait is answered at once.
    expect(workflow.resumed).toStrictEqual([
      { sfnToken: 'sfn-approval', output: { decision: 'approved' } },
      { sfnToken: 'sfn-approval-2', output: { decision: 'approved' } },
    ]);
    expect((await store.get(task.id))?.status).toBe('awaiting_token');
    expect([...directory.projects.keys()]).toStrictEqual(['apollo']);
    await expect(engine.retry(task.id, ADMIN)).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('fails an approved task at AwaitToken (where the work after an approval runs) when its execution no longer waits for the decision', async () => {
    // Prepare
    const { notifications, engine, workflow } = setup();
    const task = await signUp(engine);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    workflow.resume = async () => false;

    // Act
    const decided = await engine.decide(task.id, 'approve');

    // Assess: the approval is kept, and the failure says what an admin can do.
    expect([decided.status, decided.approvedBy, decided.failure]).toStrictEqual([
      'failed',
      ADMIN,
      { step: 'AwaitToken', error: 'WaitOver', cause: 'The approval was saved but the workflow could not be resumed: WaitOver: The execution no longer waits for this decision (its wait timed out or it was stopped).', retryable: true, dataRevision: 0 },
    ]);
    expect([...notifications.notifications.values()].filter((n) => n.error).map((n) => n.message)).toStrictEqual([
      `Task ${task.id} (sign-up) failed in AwaitToken. An admin can retry it: POST /v1/tasks/${task.id}/retry.`,
    ]);
  });

  it('completes a token submit that raced another write to the task (e.g. the step recording its token email)', async () => {
    // Prepare: another write lands between the submit's read and each of its writes.
    const { engine, store, mailer, core } = setup();
    const task = await toAwaitingToken(engine);
    const token = linkSecret(mailer.sent.find((mail) => mail.subject.startsWith('Choose your password'))?.text ?? '');
    const update = store.update.bind(store);
    let raced = false;
    store.update = async (id, change) => {
      if (!raced && change.set?.some((entry) => entry.path[0] === 'tokenUse')) {
        raced = true;
        await engine.addNote(task.id, ADMIN, 'Meanwhile.');
      }
      return update(id, change);
    };

    // Act
    const completed = await engine.submitToken(token, { password: 'a long enough password' });

    // Assess
    expect([raced, completed.status, completed.adminNotes.map((note) => note.text), core.committer.conflicts]).toStrictEqual([true, 'completed', ['Meanwhile.'], 0]);
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
    await engine.fail(task.id, 'AwaitApproval', { Error: 'Error' }, task.executionArn);
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
    const { notifications, engine, store } = setup();
    const task = await signUp(engine);
    await engine.fail(task.id, 'Complete', { Error: 'TransientError', Cause: 'SES throttled' });
    expect((await store.get(task.id))?.status).toBe('pending');
    expect([...notifications.notifications.values()].map((n) => n.message)).toStrictEqual([`The completed email of task ${task.id} could not be sent.`]);
  });
});

