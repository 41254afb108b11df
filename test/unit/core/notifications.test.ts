import { ADMIN, setupOps, signUp } from './sign-ups.ts';

const setup = setupOps;

describe('operator notifications', () => {
  it('tells the operators of a failed task (listed and emailed), notifies none of a request waiting for approval, and acknowledges one or many', async () => {
    // Prepare
    const { engine, mailer } = setup();
    const waiting = await signUp(engine, 'waiting');
    const failing = await signUp(engine, 'failing');
    // Act
    await engine.awaitApproval(waiting.id, 'sfn-approval');
    await engine.fail(failing.id, 'AwaitApproval', { Error: 'Error', Cause: 'boom' });
    // Assess: operators hear of the error only; the approvers get the approval email.
    const page = await engine.listNotifications({ acknowledged: false, limit: 10 });
    expect(page.items.map((n) => [n.taskId, n.kind, n.emailedAt])).toStrictEqual([[failing.id, 'error', '2026-11-23T10:00:00.000Z']]);
    expect(mailer.sent.map((mail) => mail.subject)).toStrictEqual([`Approval needed: sign-up ${waiting.id}`, `Error - sign-up ${failing.id}`]);
    const result = await engine.acknowledge([page.items[0]?.id ?? '', 'nope'], ADMIN);

    expect(result).toStrictEqual({ acknowledged: [page.items[0]?.id], unknown: ['nope'] });
    expect((await engine.getNotification(page.items[0]?.id ?? '')).acknowledgedBy).toBe('root@example.com');
  });

  it('keeps a notification whose email failed, and records that failure as an error', async () => {
    const { notifications, engine, mailer } = setup();
    mailer.send = async () => {
      throw new Error('SES down');
    };
    const task = await signUp(engine);
    await engine.fail(task.id, 'AwaitApproval', { Error: 'Error', Cause: 'boom' });

    const messages = [...notifications.notifications.values()].map((n) => [n.kind, n.message, n.emailedAt]);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toStrictEqual(['error', `Notification ${[...notifications.notifications.values()][0]?.id} could not be emailed to the operators.`, undefined]);
  });
});

