import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Notification, NotificationSchema } from '#core/notification';
import type { NotificationQuery, NotificationStore } from '#ports/notification-store';
import { type Index, INDEXES, type Item, keys, SingleTable, type SingleTableOptions, stripKeys } from './table.ts';

export type DynamoDbNotificationStoreOptions = SingleTableOptions;

/** Operator notifications are kept this long. */
export const NOTIFICATION_RETENTION_SECONDS = 90 * 24 * 3600;

const toNotification = (item: Item): Notification => NotificationSchema.parse(stripKeys(item));

/** The byStatus partition of the unacknowledged error notifications (sparse: acknowledging removes the key). */
export const UNACKNOWLEDGED_ERRORS = 'NOTIFICATIONS#UNACKNOWLEDGED#ERROR';
/** The byType partition of a task's unacknowledged notifications (sparse, likewise). */
export const unacknowledgedOfTask = (taskId: string) => `NOTIFICATIONS#UNACKNOWLEDGED#TASK#${taskId}`;

/** The index keys of an unacknowledged notification: removed, all four, when it is acknowledged. */
const UNACKNOWLEDGED_KEYS = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const;

/**
 * Operator notifications: `NOTIFICATION#<id>` / `NOTIFICATION`, listed through byCreated
 * (`NOTIFICATIONS`). While one is unacknowledged it is also in two sparse partitions: byStatus
 * `NOTIFICATIONS#UNACKNOWLEDGED#ERROR` if it is an error (counted whole, for /v1/status), and byType
 * `NOTIFICATIONS#UNACKNOWLEDGED#TASK#<taskId>` (a task's open notices, acknowledged once it is
 * decided); the sort key is `<createdAt>#<id>` in both. Acknowledging removes both.
 */
export class DynamoDbNotificationStore implements NotificationStore {
  private readonly table: SingleTable;
  private readonly nowMs: () => number;

  constructor(options: DynamoDbNotificationStoreOptions) {
    this.table = new SingleTable(options);
    this.nowMs = options.now ?? Date.now;
  }

  async put(notification: Notification): Promise<void> {
    const sortKey = `${notification.createdAt}#${notification.id}`;
    const item = {
      ...keys.notification(notification.id),
      ...notification,
      gsi3pk: 'NOTIFICATIONS',
      gsi3sk: sortKey,
      ...(notification.acknowledged ? {} : { gsi2pk: unacknowledgedOfTask(notification.taskId), gsi2sk: sortKey }),
      ...(notification.acknowledged || !notification.error ? {} : { gsi1pk: UNACKNOWLEDGED_ERRORS, gsi1sk: sortKey }),
      expiresAt: Math.floor(Date.parse(notification.createdAt) / 1000) + NOTIFICATION_RETENTION_SECONDS,
    };
    const stored = await this.table.conditional(
      () => this.table.client.send(new PutCommand({ TableName: this.table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
      'Storing a notification',
    );
    if (!stored) throw new Error(`Notification ${notification.id} is already stored: a new notification needs a new id.`);
  }

  async get(id: string): Promise<Notification | undefined> {
    const item = await this.table.get(keys.notification(id), 'Reading a notification');
    return item ? toNotification(item) : undefined;
  }

  async markEmailed(id: string, at: string): Promise<void> {
    const live = this.table.liveCondition();
    await this.table.conditional(
      () =>
        this.table.client.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: keys.notification(id),
            UpdateExpression: 'SET emailedAt = :at',
            ConditionExpression: live.expression,
            ExpressionAttributeValues: { ':at': at, ...live.values },
          }),
        ),
      'Marking a notification emailed',
    );
  }

  async acknowledge(id: string, by: string, at: string): Promise<boolean> {
    const live = this.table.liveCondition();
    const outcome = await this.table.update(
      {
        TableName: this.table.name,
        Key: keys.notification(id),
        UpdateExpression: `SET acknowledged = :true, acknowledgedAt = :at, acknowledgedBy = :by REMOVE ${UNACKNOWLEDGED_KEYS.join(', ')}`,
        ConditionExpression: `${live.expression} AND acknowledged = :false`,
        ExpressionAttributeValues: { ':true': true, ':false': false, ':at': at, ':by': by, ...live.values },
      },
      'Acknowledging a notification',
    );
    // Not applied: already acknowledged (unchanged), or there is no such notification.
    return outcome.applied || outcome.item !== undefined;
  }

  async list(query: NotificationQuery): Promise<{ items: Notification[]; cursor?: string }> {
    const page = await this.table.queryPage({
      input: {
        TableName: this.table.name,
        IndexName: INDEXES.byCreated.name,
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': 'NOTIFICATIONS', ...(query.acknowledged === undefined ? {} : { ':ack': query.acknowledged }) },
        ...(query.acknowledged === undefined ? {} : { FilterExpression: 'acknowledged = :ack' }),
        ScanIndexForward: false,
      },
      index: INDEXES.byCreated,
      // The index may lag an acknowledgement: the item read from the table decides.
      ...(query.acknowledged === undefined ? {} : { keep: (item: Item) => item.acknowledged === query.acknowledged }),
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      what: 'Listing notifications',
    });
    return { items: page.items.map(toNotification), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  async unacknowledgedErrors(limit: number): Promise<{ count: number; items: Notification[] }> {
    const input = {
      TableName: this.table.name,
      IndexName: INDEXES.byStatus.name,
      ...this.liveIn(INDEXES.byStatus, UNACKNOWLEDGED_ERRORS),
      ScanIndexForward: false,
    };
    const [count, page] = await Promise.all([
      this.table.count(input, 'Counting unacknowledged errors'),
      this.table.queryPage({ input, index: INDEXES.byStatus, limit, keep: (item) => item.acknowledged === false, what: 'Listing unacknowledged errors' }),
    ]);
    return { count, items: page.items.map(toNotification) };
  }

  async unacknowledgedOf(taskId: string): Promise<Notification[]> {
    const found: Notification[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.table.queryPage({
        input: { TableName: this.table.name, IndexName: INDEXES.byType.name, ...this.liveIn(INDEXES.byType, unacknowledgedOfTask(taskId)), ScanIndexForward: false },
        index: INDEXES.byType,
        limit: 100,
        keep: (item) => item.acknowledged === false,
        ...(cursor === undefined ? {} : { cursor }),
        what: "Listing a task's unacknowledged notifications",
      });
      found.push(...page.items.map(toNotification));
      cursor = page.cursor;
    } while (cursor !== undefined);
    return found;
  }

  /**
   * The key condition of one sparse partition, limited to the notifications TTL has not ended: a
   * notification is live while `floor(createdAt s) + retention > now s`, that is, while it was
   * created at or after the start of the second `now s - retention + 1`. So a count, which reads only
   * the index, leaves out the expired ones that TTL has not deleted yet.
   */
  private liveIn(index: Index, partition: string) {
    const from = new Date((Math.floor(this.nowMs() / 1000) - NOTIFICATION_RETENTION_SECONDS + 1) * 1000).toISOString();
    return {
      KeyConditionExpression: '#pk = :pk AND #sk >= :from',
      ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
      ExpressionAttributeValues: { ':pk': partition, ':from': from },
    };
  }
}
