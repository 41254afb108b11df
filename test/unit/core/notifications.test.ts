import { type Engine, engineWithFakes } from '../../support/engine-harness.ts';

const ADMIN = { kind: 'admin' as const, id: 'root@example.com' };

const setup = () => engineWithFakes({ adminEmails: ['ops@example.com'], ttlMinutes: 60 });

const signUp = (engine: Engine, name = 'apollo', requester?: { sub: string; email?: string; roles: string[] }) =>
  engine.createTask('sign-up', { email: `${name}@example.com`, projectName: name }, requester);

describe('operator notifications', () => {
  it('lists that a task needs approval without emailing it (the approvers get the approval email), and acknowledges one or many', async () => {
    // Prepare
    const { engine, mailer } = setup();
    const task = await signUp(engine);
    // Act
    await engine.preApprove(task.id);
    await engine.awaitApproval(task.id, 'sfn-approval');
    // Assess: one email per person for this event, the approval email with the link.
    const page = await engine.listNotifications({ acknowledged: false, limit: 10 });
    expect(page.items.map((n) => [n.kind, n.message, n.emailedAt])).toStrictEqual([['needs-approval', `'sign-up' task ${task.id} needs approval.`, undefined]]);
    expect(mailer.sent.map((mail) => [mail.to, mail.subject])).toStrictEqual([[['ops@example.com'], `Approval needed: sign-up ${task.id}`]]);

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

