import type { Notification } from '#core/notification';

export interface NotificationQuery {
  readonly acknowledged?: boolean;
  readonly limit: number;
  readonly cursor?: string;
}

export interface NotificationStore {
  put(notification: Notification): Promise<void>;
  get(id: string): Promise<Notification | undefined>;
  /** Records that it was emailed. */
  markEmailed(id: string, at: string): Promise<void>;
  /** Acknowledges it unless it already is; false if there is no such notification. */
  acknowledge(id: string, by: string, at: string): Promise<boolean>;
  /** Newest first; `acknowledged` filters. */
  list(query: NotificationQuery): Promise<{ items: Notification[]; cursor?: string }>;
  /**
   * Every unacknowledged error notification counted (not only a page of them), and the newest
   * `limit` of them, newest first.
   */
  unacknowledgedErrors(limit: number): Promise<{ count: number; items: Notification[] }>;
  /**
   * The unacknowledged notifications of a task, newest first. Read from an index: one stored a
   * moment ago may be missing for that moment.
   */
  unacknowledgedOf(taskId: string): Promise<Notification[]>;
}
