import { TransientError } from '#core/errors';
import type { MailFeedback } from '#core/mail-feedback';
import { expectError } from '../../support/expect-error.ts';
import { setupOps, signUp } from './sign-ups.ts';

const AT = '2026-11-23T10:00:00.000Z';

/** A bounce of an email of `taskId` to `recipients`, as functions/streams/mail-feedback.ts reads it. */
const bounce = (taskId: string | undefined, recipients: string[], type = 'Permanent/General'): MailFeedback => ({
  kind: 'bounce',
  taskId,
  recipients,
  type,
  permanent: type.startsWith('Permanent'),
  detail: `${recipients[0]}: 5.1.1 smtp; 550 user unknown\nSES message m-1, feedback f-1`,
});

describe('mail feedback (SES bounces and complaints)', () => {
  it('tells the operators of a permanent bounce of a requester email: stored, emailed, saying what to do', async () => {
    // Prepare
    const { core, engine, notifications, mailer } = setupOps();
    const task = await signUp(engine, 'apollo');
    const sentBefore = mailer.sent.length;

    // Act
    const outcome = await core.streams.mailFeedback(bounce(task.id, ['apollo@example.com']));

    // Assess
    expect(outcome).toBe('notified');
    expect([...notifications.notifications.values()].map(({ id: _id, ...notification }) => notification)).toStrictEqual([
      {
        taskId: task.id,
        taskType: 'sign-up',
        kind: 'error',
        error: true,
        message: `An email of task ${task.id} (sign-up, pending) to apollo@example.com bounced (Permanent/General): the address does not accept mail and SES will not try it again. A mistyped requester address: cancel the task (POST /v1/tasks/${task.id}/cancel) and ask for a new request; an approver's address: fix it in the user pool (or the type's approval policy); an operator's: fix operators in the Assent configuration.`,
        detail: 'apollo@example.com: 5.1.1 smtp; 550 user unknown\nSES message m-1, feedback f-1',
        createdAt: AT,
        acknowledged: false,
        emailedAt: AT,
      },
    ]);
    expect(mailer.sent.slice(sentBefore).map((mail) => [mail.to, mail.subject])).toStrictEqual([[['ops@example.com'], `Error - sign-up ${task.id}`]]);
  });

  it('says to send the token again later for a transient bounce', async () => {
    // Prepare
    const { core, engine, notifications } = setupOps();
    const task = await signUp(engine, 'apollo');

    // Act
    await core.streams.mailFeedback(bounce(task.id, ['apollo@example.com'], 'Transient/MailboxFull'));

    // Assess
    expect([...notifications.notifications.values()].map((notification) => notification.message)).toStrictEqual([
      `An email of task ${task.id} (sign-up, pending) to apollo@example.com bounced (Transient/MailboxFull) after SES's retries: the mailbox may be full or its server down. If the task waits for its token, send it again later (POST /v1/tasks/${task.id}/token).`,
    ]);
  });

  it('tells the operators of a complaint, with its feedback type', async () => {
    // Prepare
    const { core, engine, notifications } = setupOps();
    const task = await signUp(engine, 'apollo');

    // Act
    const outcome = await core.streams.mailFeedback({ kind: 'complaint', taskId: task.id, recipients: ['apollo@example.com'], type: 'abuse', permanent: false, detail: 'SES message m-1, feedback f-2' });

    // Assess
    expect(outcome).toBe('notified');
    expect([...notifications.notifications.values()].map((notification) => [notification.message, notification.detail])).toStrictEqual([
      [
        `A recipient marked an email of task ${task.id} (sign-up, pending) to apollo@example.com as spam (abuse). Complaints count against the SES account's reputation: check that the request is genuine, and cancel it if not (POST /v1/tasks/${task.id}/cancel).`,
        'SES message m-1, feedback f-2',
      ],
    ]);
  });

  it('stores but does not email feedback about an operator address (any case), which would bounce again and loop', async () => {
    // Prepare
    const { core, engine, notifications, mailer } = setupOps();
    const task = await signUp(engine, 'apollo');
    const sentBefore = mailer.sent.length;

    // Act
    const outcome = await core.streams.mailFeedback(bounce(task.id, ['OPS@example.com']));

    // Assess
    expect(outcome).toBe('recorded');
    expect(mailer.sent.length).toBe(sentBefore);
    const stored = [...notifications.notifications.values()];
    expect(stored.map((notification) => [notification.kind, notification.emailedAt, notification.message.endsWith('Not emailed: it is about an operator address, so the email would bounce again.')])).toStrictEqual([
      ['error', undefined, true],
    ]);
    expect((await engine.listNotifications({ acknowledged: false, limit: 10 })).items.map((notification) => notification.id)).toStrictEqual(stored.map((notification) => notification.id));
  });

  it('emails the operators when only some of the recipients are operators', async () => {
    // Prepare
    const { core, engine } = setupOps();
    const task = await signUp(engine, 'apollo');

    // Act
    const outcome = await core.streams.mailFeedback(bounce(task.id, ['ops@example.com', 'apollo@example.com']));

    // Assess
    expect(outcome).toBe('notified');
  });

  it('notifies nobody of an email without a task id, or of a task TTL removed', async () => {
    // Prepare
    const { core, notifications } = setupOps();

    // Act
    const outcomes = [await core.streams.mailFeedback(bounce(undefined, ['x@example.com'])), await core.streams.mailFeedback(bounce('01JGONE', ['x@example.com']))];

    // Assess
    expect(outcomes).toStrictEqual(['untagged', 'task-gone']);
    expect(notifications.notifications.size).toBe(0);
  });

  it('fails with a TransientError when the notification cannot be stored, so the event is delivered again', async () => {
    // Prepare
    const { core, engine, notifications } = setupOps();
    const task = await signUp(engine, 'apollo');
    notifications.put = async () => {
      throw new Error('DynamoDB is unreachable');
    };

    // Act
    const run = core.streams.mailFeedback(bounce(task.id, ['apollo@example.com']));

    // Assess
    await expectError(run, TransientError, `Storing the bounce notification of task ${task.id} failed; the event is delivered again.`);
  });
});
