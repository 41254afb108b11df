import { type LifecycleEvent, LifecycleEventSchema } from '#core/events';
import { engineWithFakes, linkSecret, signUpToToken } from '../support/engine-harness.ts';
import { RecordingEvents } from '../support/fakes.ts';

const AT = '2026-11-23T10:00:00.000Z';
const SYSTEM = { kind: 'system', id: 'system' };
const ANONYMOUS = { kind: 'user', id: 'anonymous' };
const ADMIN = { kind: 'admin', id: 'root' } as const;

const setup = (options: { failWith?: Error } = {}) => {
  const events = new RecordingEvents();
  if (options.failWith) events.failWith = options.failWith;
  const internalErrors: string[] = [];
  const harness = engineWithFakes({ operatorEmails: ['a1@example.com'], events, onInternalError: (message) => internalErrors.push(message) });
  return { ...harness, events, internalErrors };
};

const event = (detailType: LifecycleEvent['detailType'], taskId: string, status: string, actor: object, extra: object = {}) => ({
  detailType,
  detail: { taskId, taskType: 'sign-up', status, at: AT, actor, ...extra },
});

describe('lifecycle events', () => {
  it('publishes created, approved, token_issued, completed and one action.completed for a sign-up, in order', async () => {
    // Prepare
    const harness = setup();
    const { id, token } = await signUpToToken(harness);

    // Act
    await harness.engine.submitToken(token, { password: 'correct horse battery' });
    await harness.engine.complete(id);

    // Assess
    expect(harness.events.published).toStrictEqual([
      event('task.created', id, 'pending', ANONYMOUS),
      event('task.approved', id, 'approved', { kind: 'approver', id: 'a1@example.com' }),
      event('task.token_issued', id, 'awaiting_token', SYSTEM),
      event('task.completed', id, 'completed', SYSTEM),
      event('action.completed', id, 'completed', SYSTEM, { action: 'new-project-with-user' }),
    ]);
    for (const published of harness.events.published) expect(LifecycleEventSchema.parse(published)).toStrictEqual(published);
  });

  it('never carries the data, the password, the token or the approval secret', async () => {
    // Prepare
    const harness = setup();
    const { token } = await signUpToToken(harness);
    const approvalSecret = linkSecret(harness.mailer.sent.find((mail) => mail.subject.startsWith('Approval needed'))?.text);

    // Act
    await harness.engine.submitToken(token, { password: 'correct horse battery' });

    // Assess
    const json = JSON.stringify(harness.events.published);
    for (const secret of [token, approvalSecret, 'correct horse battery', 'ann@example.com', 'apollo']) expect(json).not.toContain(secret);
  });

  it('does not publish token_issued again when the token step is retried', async () => {
    // Prepare
    const harness = setup();
    const { id } = await signUpToToken(harness);

    // Act
    await harness.engine.awaitToken(id, 'sfn-token');

    // Assess
    expect(harness.events.published.map((published) => published.detailType)).toStrictEqual(['task.created', 'task.approved', 'task.token_issued']);
  });

  it('publishes task.rejected with the admin who rejected', async () => {
    // Prepare
    const harness = setup();
    const task = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await harness.engine.awaitApproval(task.id, 'sfn-approval');

    // Act
    await harness.engine.decide(task.id, 'reject', 'name taken');

    // Assess
    expect(harness.events.published).toStrictEqual([event('task.created', task.id, 'pending', ANONYMOUS), event('task.rejected', task.id, 'rejected', { kind: 'admin', id: 'a1@example.com' })]);
  });

  it('publishes task.approved by the system for an auto-approved reset-password', async () => {
    // Prepare
    const harness = setup();
    await harness.directory.createUser({ email: 'bob@example.com', roles: [], enabled: true, createdAt: AT });
    const task = await harness.engine.createTask('reset-password', { email: 'bob@example.com' }, undefined);

    // Act
    await harness.engine.preApprove(task.id);

    // Assess
    expect(harness.events.published.map((published) => [published.detailType, published.detail.taskType, published.detail.actor])).toStrictEqual([
      ['task.created', 'reset-password', ANONYMOUS],
      ['task.approved', 'reset-password', SYSTEM],
    ]);
  });

  it('publishes task.cancelled, task.failed and task.expired', async () => {
    // Prepare
    const harness = setup();
    const cancelled = await harness.engine.createTask('sign-up', { email: 'a@example.com', projectName: 'one' }, undefined);
    const failed = await harness.engine.createTask('sign-up', { email: 'b@example.com', projectName: 'two' }, undefined);
    const { id: expired } = await signUpToToken(harness);
    harness.events.published.length = 0;

    // Act
    await harness.engine.cancel(cancelled.id, ADMIN, 'asked by phone');
    await harness.engine.fail(failed.id, 'AwaitApproval', { Error: 'Error', Cause: 'boom' });
    await harness.engine.fail(expired, 'AwaitToken', { Error: 'States.Timeout' });
    await harness.engine.fail(expired, 'AwaitToken', { Error: 'States.Timeout' });

    // Assess
    expect(harness.events.published).toStrictEqual([
      event('task.cancelled', cancelled.id, 'cancelled', ADMIN),
      event('task.failed', failed.id, 'failed', SYSTEM),
      event('task.expired', expired, 'expired', SYSTEM),
    ]);
  });

  it('publishes task.rejected by the system when the approval request expires', async () => {
    // Prepare
    const harness = setup();
    const task = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    await harness.engine.preApprove(task.id);

    // Act
    await harness.engine.fail(task.id, 'AwaitApproval', { Error: 'States.Timeout' });

    // Assess
    expect(harness.events.published.at(-1)).toStrictEqual(event('task.rejected', task.id, 'rejected', SYSTEM));
  });

  it('completes the request when publishing fails, and tells the operators which events were lost', async () => {
    // Prepare
    const harness = setup({ failWith: new Error('bus unavailable') });

    // Act
    const task = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);

    // Assess
    expect((await harness.store.get(task.id))?.status).toBe('pending');
    expect(harness.internalErrors).toStrictEqual(['Could not publish lifecycle events']);
    const notifications = [...harness.notifications.notifications.values()];
    expect(notifications.map((notification) => [notification.kind, notification.message, notification.detail])).toStrictEqual([
      [
        'error',
        `The task.created event(s) of task ${task.id} could not be published; the detail holds them for a replay.`,
        `Error: bus unavailable\nEvents: ${JSON.stringify([event('task.created', task.id, 'pending', ANONYMOUS)])}`,
      ],
    ]);
    expect(harness.mailer.sent.map((mail) => mail.to)).toStrictEqual([['a1@example.com']]);
  });
});
