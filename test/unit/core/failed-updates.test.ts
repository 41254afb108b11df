import { InvalidTaskError, InvalidTransitionError } from '#core/errors';
import { expectError } from '../../support/expect-error.ts';
import { ADMIN, setupOps, signUp } from './sign-ups.ts';

/**
 * A task that became invalid after approval (its project name was taken meanwhile) fails as not
 * retryable: a retry of the same data is refused, an admin updates its data (which undoes what its
 * actions did on the old data) and then retries it.
 */
async function failedOnTakenName() {
  const harness = setupOps();
  const { engine, directory } = harness;
  const task = await signUp(engine);
  await engine.preApprove(task.id);
  await engine.awaitApproval(task.id, 'sfn-approval');
  await engine.decide(task.id, 'approve');
  await directory.createProject({ id: 'p-someone-else', name: 'apollo', createdAt: 'x' });
  const step = engine.awaitToken(task.id, 'sfn-token-1');
  await expect(step).rejects.toBeInstanceOf(InvalidTaskError);
  await engine.fail(task.id, 'AwaitToken', { Error: 'InvalidTaskError', Cause: 'became invalid after approval' });
  return { ...harness, task };
}

describe('a deterministic failure', () => {
  it('is recorded as not retryable, and the operators are told to update the data or cancel', async () => {
    // Act
    const { engine, notifications, task } = await failedOnTakenName();

    // Assess
    const failed = await engine.getTask(task.id);
    expect([failed.status, failed.failure?.retryable, failed.failure?.dataRevision]).toStrictEqual(['failed', false, 0]);
    expect([...notifications.notifications.values()].filter((notice) => notice.kind === 'error').map((notice) => notice.message)).toStrictEqual([
      `Task ${task.id} (sign-up) failed in AwaitToken. Retrying the same data would fail again: update its data (PUT /v1/tasks/${task.id}) and retry it, or cancel it.`,
    ]);
  });

  it('refuses a retry of the same data with 409, and changes nothing', async () => {
    // Prepare
    const { engine, workflow, task } = await failedOnTakenName();

    // Act
    const retry = engine.retry(task.id, ADMIN);

    // Assess
    await expectError(
      retry,
      InvalidTransitionError,
      `Task ${task.id} failed in AwaitToken on its data, so a retry would fail again (became invalid after approval). Update its data or cancel it.`,
    );
    expect([(await engine.getTask(task.id)).status, workflow.started.length]).toStrictEqual(['failed', 1]);
  });

  it('is retried once an admin updated its data: validated afresh, then postApprove runs on the new data', async () => {
    // Prepare
    const { engine, directory, task } = await failedOnTakenName();

    // Act
    const updated = await engine.updateData(task.id, { email: 'apollo@example.com', projectName: 'apollo-2' }, ADMIN);
    const retried = await engine.retry(task.id, ADMIN);
    await engine.awaitToken(task.id, 'sfn-token-2');

    // Assess
    expect([updated.status, updated.dataRevision, updated.actions[0]?.valid, updated.validatedAt !== undefined]).toStrictEqual(['failed', 1, true, true]);
    expect([retried.status, retried.attempt]).toStrictEqual(['approved', 2]);
    expect([(await engine.getTask(task.id)).status, (await directory.findProjectByName('apollo-2'))?.id]).toStrictEqual(['awaiting_token', `p-${task.id.toLowerCase()}`]);
  });

  it('still refuses a retry when the updated data is invalid too, naming why', async () => {
    // Prepare
    const { engine, task } = await failedOnTakenName();
    await engine.updateData(task.id, { email: 'apollo@example.com', projectName: 'apollo' }, ADMIN);

    // Act
    const retry = engine.retry(task.id, ADMIN);

    // Assess
    await expectError(
      retry,
      InvalidTransitionError,
      `Task ${task.id}'s updated data is invalid too (new-project-with-user: Project name "apollo" is taken.) Update its data or cancel it.`,
    );
  });
});

describe('updating the data of a failed task whose actions did work', () => {
  it('undoes that work on the old data first, so the retry does it afresh on the new data', async () => {
    // Prepare: postApprove created the project, then failed creating the account.
    const { engine, directory } = setupOps();
    const task = await signUp(engine);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    await engine.decide(task.id, 'approve');
    const createUser = directory.createUser.bind(directory);
    directory.createUser = async () => {
      throw new Error('directory unavailable');
    };
    await expect(engine.awaitToken(task.id, 'sfn-token-1')).rejects.toThrow('directory unavailable');
    await engine.fail(task.id, 'AwaitToken', { Error: 'Error', Cause: 'directory unavailable' });
    directory.createUser = createUser;

    // Act
    const updated = await engine.updateData(task.id, { email: 'ann@example.com', projectName: 'artemis' }, ADMIN);
    await engine.retry(task.id, ADMIN);
    await engine.awaitToken(task.id, 'sfn-token-2');

    // Assess
    expect([updated.compensation?.state, updated.actions[0]?.stored, updated.history.at(-1)?.event]).toStrictEqual(['done', {}, 'undone']);
    expect([...directory.projects.keys()]).toStrictEqual(['artemis']);
    // The admin who approved, and the new owner: the old one is gone.
    expect([...directory.users.keys()]).toStrictEqual(['root@example.com', 'ann@example.com']);
    expect((await engine.getTask(task.id)).status).toBe('awaiting_token');
  });

  it('refuses updating a task that is neither pending nor failed', async () => {
    // Prepare
    const { engine } = setupOps();
    const task = await signUp(engine);
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    await engine.decide(task.id, 'approve');

    // Act
    const update = engine.updateData(task.id, { email: 'ann@example.com', projectName: 'artemis' }, ADMIN);

    // Assess
    await expectError(update, InvalidTransitionError, `Task ${task.id} is approved; only pending or failed tasks can be updated.`);
  });
});
