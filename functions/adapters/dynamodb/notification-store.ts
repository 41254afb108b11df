import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Notification, NotificationSchema } from '#core/notification';
import type { NotificationQuery, NotificationStore } from '#ports/notification-store';
import { INDEXES, type Item, keys, SingleTable, type SingleTableOptions, stripKeys } from './table.ts';

export type DynamoDbNotificationStoreOptions = SingleTableOptions;

/** Operator notifications are kept this long. */
export const NOTIFICATION_RETENTION_SECONDS = 90 * 24 * 3600;

const toNotification = (item: Item): Notification => NotificationSchema.parse(stripKeys(item));

/** Operator notifications: `NOTIFICATION#<id>` / `NOTIFICATION`, listed through byCreated (`NOTIFICATIONS`). */
export class DynamoDbNotificationStore implements NotificationStore {
  private readonly table: SingleTable;

  constructor(options: DynamoDbNotificationStoreOptions) {
    this.table = new SingleTable(options);
  }

  async put(notification: Notification): Promise<void> {
    const item = {
      ...keys.notification(notification.id),
      ...notification,
      gsi3pk: 'NOTIFICATIONS',
      gsi3sk: `${notification.createdAt}#${notification.id}`,
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
        UpdateExpression: 'SET acknowledged = :true, acknowledgedAt = :at, acknowledgedBy = :by',
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
}
