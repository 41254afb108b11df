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
}
