import { BadRequestError } from '#core/errors';
import type { Notification } from '#core/notification';
import type { NotificationStore } from '#ports/notification-store';
import { concurrently, newNotification } from './fixtures.ts';

export interface NotificationStoreSubject {
  /** A store on an empty table. */
  readonly store: NotificationStore;
}

const AT = '2026-11-23T10:00:00.000Z';

/** The NotificationStore port's behaviour, for the in-memory fake and the DynamoDB adapter alike. */
export function describeNotificationStoreContract(name: string, makeStore: () => Promise<NotificationStoreSubject>): void {
  describe(`NotificationStore contract: ${name}`, () => {
    let store: NotificationStore;
    beforeEach(async () => {
      ({ store } = await makeStore());
    });

    it('stores a notification once and reads it back as it was written', async () => {
      // Prepare
      const notification = newNotification('N1', 10, { kind: 'error', error: true, detail: 'TransientError: slow down' });
      await store.put(notification);

      // Act
      const again = store.put({ ...notification, message: 'another' });

      // Assess
      await expect(again).rejects.toThrow('Notification N1 is already stored: a new notification needs a new id.');
      await expect(store.get('N1')).resolves.toStrictEqual(notification);
      await expect(store.get('absent')).resolves.toBeUndefined();
    });

    it('records when a notification was emailed, and creates none for an absent id', async () => {
      // Prepare
      const notification = newNotification('N1', 10);
      await store.put(notification);

      // Act
      await store.markEmailed('N1', AT);
      await store.markEmailed('absent', AT);

      // Assess
      await expect(store.get('N1')).resolves.toStrictEqual({ ...notification, emailedAt: AT });
      await expect(store.get('absent')).resolves.toBeUndefined();
    });

    it('acknowledges once: a second acknowledgement changes nothing, an absent id answers false', async () => {
      // Prepare
      const notification = newNotification('N1', 10);
      await store.put(notification);

      // Act
      const results = [await store.acknowledge('N1', 'ann', AT), await store.acknowledge('N1', 'bob', '2026-11-23T11:00:00.000Z'), await store.acknowledge('absent', 'ann', AT)];

      // Assess
      expect(results).toStrictEqual([true, true, false]);
      await expect(store.get('N1')).resolves.toStrictEqual({ ...notification, acknowledged: true, acknowledgedAt: AT, acknowledgedBy: 'ann' });
      await expect(store.get('absent')).resolves.toBeUndefined();
    });

    it('treats a notification older than 90 days as deleted', async () => {
      // Prepare
      await store.put(newNotification('N1', 91 * 24 * 3600));

      // Act & Assess
      await expect(store.get('N1')).resolves.toBeUndefined();
      await expect(store.acknowledge('N1', 'ann', AT)).resolves.toBe(false);
      await expect(store.list({ limit: 10 })).resolves.toStrictEqual({ items: [] });
    });

    it('lists newest first, filtered by acknowledged, with cursors', async () => {
      // Prepare
      const notifications = [40, 30, 20, 10].map((secondsAgo, index) => newNotification(`N${index + 1}`, secondsAgo));
      for (const notification of notifications) await store.put(notification);
      await store.acknowledge('N2', 'ann', AT);
      const [n1, n2, n3, n4] = notifications as [Notification, Notification, Notification, Notification];
      const acknowledged = { ...n2, acknowledged: true, acknowledgedAt: AT, acknowledgedBy: 'ann' };

      // Act
      const all = await store.list({ limit: 10 });
      const open = await store.list({ acknowledged: false, limit: 2 });
      const openRest = await store.list({ acknowledged: false, limit: 2, cursor: open.cursor as string });
      const done = await store.list({ acknowledged: true, limit: 2 });

      // Assess
      expect([all, open.items, openRest, done]).toStrictEqual([{ items: [n4, n3, acknowledged, n1] }, [n4, n3], { items: [n1] }, { items: [acknowledged] }]);
      await expect(store.list({ limit: 2, cursor: 'forged' })).rejects.toStrictEqual(new BadRequestError('The cursor is not one this API returned; start again without it.'));
    });

    it('counts every unacknowledged error, however many newer notices there are, and answers the newest first', async () => {
      // Prepare: 4 errors (one acknowledged, one past its 90 days), then 60 newer needs-approval notices.
      const error = (id: string, secondsAgo: number) => newNotification(id, secondsAgo, { kind: 'error', error: true, message: `${id} failed.` });
      const errors = [error('E1', 400), error('E2', 300), error('E3', 200), error('E4', 100)];
      for (const notification of [...errors, error('E0', 91 * 24 * 3600)]) await store.put(notification);
      await concurrently(60, (index) => store.put(newNotification(`N${String(index).padStart(2, '0')}`, 50 - index / 10)));
      await store.acknowledge('E2', 'ann', AT);
      const [e1, , e3, e4] = errors as [Notification, Notification, Notification, Notification];

      // Act
      const all = await store.unacknowledgedErrors(10);
      const newest = await store.unacknowledgedErrors(2);

      // Assess: the newest 50 (what /v1/status read) hold no error at all.
      expect((await store.list({ acknowledged: false, limit: 50 })).items.filter((notification) => notification.error)).toStrictEqual([]);
      expect([all, newest]).toStrictEqual([
        { count: 3, items: [e4, e3, e1] },
        { count: 3, items: [e4, e3] },
      ]);
      await expect(store.unacknowledgedErrors(5)).resolves.toStrictEqual(all);
    });

    it("answers a task's unacknowledged notifications, newest first, and none once they are acknowledged", async () => {
      // Prepare
      const first = newNotification('N1', 30);
      const error = newNotification('N2', 20, { kind: 'error', error: true, message: 'It failed.' });
      const second = newNotification('N3', 10);
      const otherTask = newNotification('N4', 5, { taskId: 'T2' });
      for (const notification of [first, error, second, otherTask, newNotification('N5', 91 * 24 * 3600)]) await store.put(notification);

      // Act
      const open = await store.unacknowledgedOf('T1');
      for (const notification of open) await store.acknowledge(notification.id, 'system', AT);
      const after = await store.unacknowledgedOf('T1');

      // Assess
      expect([open, after]).toStrictEqual([[second, error, first], []]);
      await expect(store.unacknowledgedOf('T2')).resolves.toStrictEqual([otherTask]);
      await expect(store.unacknowledgedErrors(10)).resolves.toStrictEqual({ count: 0, items: [] });
      await expect(store.get('N3')).resolves.toStrictEqual({ ...second, acknowledged: true, acknowledgedAt: AT, acknowledgedBy: 'system' });
    });

    it('treats a notification stored acknowledged as in no open list', async () => {
      // Prepare
      await store.put(newNotification('N1', 10, { kind: 'error', error: true, acknowledged: true, acknowledgedAt: AT, acknowledgedBy: 'ann' }));

      // Act & Assess
      await expect(Promise.all([store.unacknowledgedErrors(10), store.unacknowledgedOf('T1')])).resolves.toStrictEqual([{ count: 0, items: [] }, []]);
    });
  });
}
