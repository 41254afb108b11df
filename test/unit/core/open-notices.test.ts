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

