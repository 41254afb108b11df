import type { Notification } from '#core/notification';
import { engineWithFakes } from '../../support/engine-harness.ts';

/**
 * Operator notices that follow their task: /v1/status counts every unacknowledged error (not those
 * among the newest 50 notifications), and a task's "needs approval" notices are acknowledged by
 * `system` once it is decided, by a person or by its own validation.
 */
const ADMIN = { kind: 'admin' as const, id: 'root@example.com' };
const NOW = Date.parse('2026-11-23T10:00:00.000Z');

/** An unacknowledged notice about `taskId`, created `secondsAgo` before the harness clock. */
const notice = (id: string, taskId: string, secondsAgo: number, overrides: Partial<Notification> = {}): Notification => ({
  id,
  taskId,
  taskType: 'sign-up',
  kind: 'needs-approval',
  error: false,
  message: `'sign-up' task ${taskId} needs approval.`,
  createdAt: new Date(NOW - secondsAgo * 1000).toISOString(),
  acknowledged: false,
  ...overrides,
});
const errorNotice = (id: string, taskId: string, secondsAgo: number) => notice(id, taskId, secondsAgo, { kind: 'error', error: true, message: `Task ${taskId} failed.` });

const setup = () => {
  const internal: string[] = [];
  const harness = engineWithFakes({ onInternalError: (message) => internal.push(message) });
  return { ...harness, internal };
};

describe('status: unacknowledged errors', () => {
  it('counts all 4 errors although 60 newer needs-approval notices come first, and lists them newest first', async () => {
    // Prepare
    const { engine, notifications } = setup();
    const errors = [400, 300, 200, 100].map((secondsAgo, index) => errorNotice(`E${index + 1}`, `T${index + 1}`, secondsAgo));
    for (const notification of errors) await notifications.put(notification);
    await notifications.put(errorNotice('E5', 'T5', 50));
    await engine.acknowledge(['E5'], ADMIN);
    for (let index = 0; index < 60; index++) await notifications.put(notice(`N${String(index).padStart(2, '0')}`, `P${index}`, 10));

    // Act
    const status = await engine.status();

    // Assess
    expect([status.unacknowledgedErrorCount, status.unacknowledgedErrors]).toStrictEqual([4, [...errors].reverse()]);
  });

  it('counts every unacknowledged error and lists the newest 10', async () => {
    // Prepare
    const { engine, notifications } = setup();
    const errors = Array.from({ length: 12 }, (_, index) => errorNotice(`E${String(index).padStart(2, '0')}`, 'T1', 120 - index));
    for (const notification of errors) await notifications.put(notification);

    // Act
    const status = await engine.status();

    // Assess
    expect([status.unacknowledgedErrorCount, status.unacknowledgedErrors]).toStrictEqual([12, errors.slice(2).reverse()]);
  });
});

describe('needs-approval notices of a decided task', () => {
  /** A pending sign-up that validated (a data update runs preApprove at once), with an open notice and an open error, and another task's notice. */
  async function pendingWithNotices() {
    const harness = setup();
    const task = await harness.engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
    const validated = await harness.engine.updateData(task.id, { email: 'ann@example.com', projectName: 'apollo' }, ADMIN);
    for (const notification of [notice('N1', task.id, 30), errorNotice('N2', task.id, 20), notice('N3', 'OTHER', 10)]) await harness.notifications.put(notification);
    return { ...harness, task: validated };
  }

  it.each([
    ['approved', 'approve'],
    ['rejected', 'reject'],
  ] as const)('are acknowledged by system when an admin %s it; its errors and other tasks\' notices stay open', async (status, decision) => {
    // Prepare
    const { engine, notifications, task } = await pendingWithNotices();
    expect(task).toMatchObject({ status: 'pending', validatedAt: expect.any(String) });

    // Act
    const decided = await engine.decide(task.id, decision, ADMIN, decision === 'reject' ? 'Not now.' : undefined);

    // Assess
    expect(decided.status).toBe(status);
    expect(await notifications.get('N1')).toStrictEqual({ ...notice('N1', task.id, 30), acknowledged: true, acknowledgedAt: '2026-11-23T10:00:00.000Z', acknowledgedBy: 'system' });
    expect((await notifications.unacknowledgedOf(task.id)).map((n) => n.id)).toStrictEqual(['N2']);
    expect((await notifications.unacknowledgedOf('OTHER')).map((n) => n.id)).toStrictEqual(['N3']);
  });

  it('are acknowledged when the task\'s own validation decides it (a todo marked done is auto-approved after a data update)', async () => {
    // Prepare
    const { engine, notifications, todos } = setup();
    await todos.create({ id: 'todo-1', title: 'Ship it', done: false, archived: false, createdAt: '2026-11-23T09:00:00.000Z' });
    const task = await engine.createTask('todos.mark-done', { id: 'todo-1' }, { sub: 'ann', email: 'ann@example.com', roles: [] });
    await notifications.put(notice('N1', task.id, 30, { taskType: 'todos.mark-done', message: `'todos.mark-done' task ${task.id} needs approval.` }));

    // Act
    const decided = await engine.updateData(task.id, { id: 'todo-1' }, ADMIN);

    // Assess
    expect(decided.status).toBe('approved');
    expect(await notifications.get('N1')).toMatchObject({ acknowledged: true, acknowledgedBy: 'system' });
  });

  it('stay open while the task is pending: a data update that decides nothing acknowledges nothing', async () => {
    // Prepare
    const { engine, notifications, task } = await pendingWithNotices();

    // Act
    await engine.updateData(task.id, { email: 'ann@example.com', projectName: 'apollo-2' }, ADMIN);

    // Assess
    expect((await notifications.unacknowledgedOf(task.id)).map((n) => n.id)).toStrictEqual(['N2', 'N1']);
  });

  it('are acknowledged best effort: a store that fails leaves the decision standing and reports the failure', async () => {
    // Prepare
    const { engine, notifications, task, internal } = await pendingWithNotices();
    notifications.unacknowledgedOf = async () => {
      throw new Error('DynamoDB is down');
    };

    // Act
    const decided = await engine.decide(task.id, 'approve', ADMIN);

    // Assess
    expect(decided.status).toBe('approved');
    expect(internal).toContain(`Could not acknowledge the needs-approval notices of task ${task.id}`);
    expect(await notifications.get('N1')).toMatchObject({ acknowledged: false });
  });
});
