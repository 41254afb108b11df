import { ConcurrentUpdateError } from '#core/errors';
import { hashSecret } from '#core/secrets';
import type { Task } from '#core/task';
import { engineWithFakes, linkSecret } from '../../support/engine-harness.ts';
import { expectError } from '../../support/expect-error.ts';

/**
 * A token submit claims its task (`tokenUse`), then completes it. One that died between the two
 * (a crash, `kill -9`) leaves the claim: the same link answers 409 with Retry-After while the
 * claim may still be a live submit's, and submits again once it is 30 s old.
 */
const PASSWORD = 'correct horse battery staple';

async function claimedByADeadSubmit() {
  const harness = engineWithFakes();
  const task = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
  await harness.engine.awaitApproval(task.id, 'sfn-approval-1');
  await harness.engine.decide(task.id, 'approve');
  await harness.engine.awaitToken(task.id, 'sfn-token-1');
  const secret = linkSecret(harness.mailer.sent.at(-1)?.text);
  // The claim write landed; the process died before the submit stage and the completion.
  const waiting = harness.store.tasks.get(task.id) as Task;
  harness.store.tasks.set(task.id, { ...waiting, tokenUse: { hash: hashSecret(secret), at: harness.clock.now().toISOString() }, version: waiting.version + 1 });
  return { harness, task, secret };
}

describe('a token whose submit died after claiming its task', () => {
  it('answers 409 with Retry-After within 30 s of the claim (the submit may be running), and changes nothing', async () => {
    // Prepare
    const { harness, task, secret } = await claimedByADeadSubmit();
    harness.clock.advance(29);

    // Act
    const error = await expectError(harness.engine.submitToken(secret, { password: PASSWORD }), ConcurrentUpdateError, 'This link was just submitted and its submit is still being handled; retry in a moment.');

    // Assess
    expect([(error as ConcurrentUpdateError).status, (error as ConcurrentUpdateError).retryAfterSeconds, (await harness.engine.getTask(task.id)).status]).toStrictEqual([409, 2, 'awaiting_token']);
  });

  it('submits again once the claim is 30 s old: the task completes once and its execution is told', async () => {
    // Prepare
    const { harness, task, secret } = await claimedByADeadSubmit();
    harness.clock.advance(30);

    // Act
    const view = await harness.engine.viewToken(secret);
    const done = await harness.engine.submitToken(secret, { password: PASSWORD });

    // Assess
    const stored = await harness.engine.getTask(task.id);
    expect([view.task.id, done.status, stored.history.filter((entry) => entry.event === 'completed').length, harness.workflow.resumed.at(-1)]).toStrictEqual([
      task.id,
      'completed',
      1,
      { sfnToken: 'sfn-token-1', output: { submitted: true } },
    ]);
    expect((await harness.directory.findUser('ann@example.com'))?.enabled).toBe(true);
  });
});
