import { StageMailer } from '#core/mailing';
import type { Task } from '#core/task';
import { defineTaskType } from '#core/task-type';
import { engineWithFakes, linkSecret } from '../../support/engine-harness.ts';
import { RecordingMailer } from '../../support/fakes.ts';

/** Who a stage email goes to: the recipients the caller names, the stage's fixed `to`, and `alsoToRequester`. */
const typeWith = (completed: Record<string, unknown>) =>
  defineTaskType({ name: 'moves', description: 'A test type.', actions: ['mark-done'], access: 'authenticated', autoApprove: true, emails: { completed } });

const task = (email: string | undefined) =>
  ({ id: 'T1', type: 'moves', createdBy: { sub: 's1', roles: [], ...(email === undefined ? {} : { email }) }, actions: [] }) as unknown as Task;

async function recipientsOf(completed: Record<string, unknown>, requester: string | undefined, recipients: string[]) {
  const mailer = new RecordingMailer();
  await new StageMailer(mailer, { mailFrom: 'assent@example.com', publicUrl: 'https://api.example.com' }).send({ task: task(requester), taskType: typeWith(completed), stage: 'completed', recipients });
  return mailer.sent.map((email) => email.to);
}

describe('StageMailer recipients', () => {
  it('sends the requester (the old address of a move) an email of their own with alsoToRequester', async () => {
    // Act & Assess
    expect(await recipientsOf({ alsoToRequester: true }, 'Old@Example.com', ['new@example.com'])).toStrictEqual([['new@example.com'], ['old@example.com']]);
  });

  it('does not add the requester twice, nor without alsoToRequester, nor when their sign-in has no address', async () => {
    // Act
    const already = await recipientsOf({ alsoToRequester: true }, 'same@example.com', ['Same@example.com']);
    const off = await recipientsOf({}, 'old@example.com', ['new@example.com']);
    const noAddress = await recipientsOf({ alsoToRequester: true }, undefined, ['new@example.com']);

    // Assess
    expect([already, off, noAddress]).toStrictEqual([[['Same@example.com']], [['new@example.com']], [['new@example.com']]]);
  });
});

describe('update-email', () => {
  it('sends its completed email to the new address and to the old one (the requester)', async () => {
    // Prepare: ann moves to ann.new; her confirmation submitted.
    const harness = engineWithFakes();
    harness.directory.users.set('ann@example.com', { email: 'ann@example.com', roles: ['member'], enabled: true, createdAt: 'x' });
    const ann = { sub: 's1', email: 'ann@example.com', roles: ['member'] };
    const task = await harness.engine.createTask('update-email', { newEmail: 'ann.new@example.com' }, ann);
    await harness.engine.awaitApproval(task.id, 'sfn-1');
    await harness.engine.awaitToken(task.id, 'sfn-2');
    await harness.engine.submitToken(linkSecret(harness.mailer.sent.at(-1)?.text), { confirm: true }, ann);

    // Act
    await harness.engine.complete(task.id);

    // Assess
    expect(harness.mailer.sent.filter((email) => email.subject === 'Your email address was changed').map((email) => email.to)).toStrictEqual([['ann.new@example.com'], ['ann@example.com']]);
  });
});
