import type { NotificationStore } from '#ports/notification-store';
import type { StageMailer } from './mailing.ts';
import type { Notification } from './notification.ts';
import type { TaskType } from './task-type.ts';
import type { Task } from './task.ts';

export interface NotifyInput {
  readonly task: Task;
  readonly taskType: TaskType | undefined;
  readonly kind: Notification['kind'];
  readonly message: string;
  readonly detail?: string;
}

/**
 * Operator notifications: stored (listable, acknowledgeable) and emailed to the operators. Never
 * throws: a notification that cannot be emailed stays stored with no `emailedAt`, and the failure
 * becomes an error notification of its own (stored, not emailed, so failures cannot loop).
 */
export class Notifier {
  constructor(
    private readonly store: NotificationStore,
    private readonly mail: StageMailer,
    private readonly operators: readonly string[],
    private readonly newId: () => string,
    private readonly now: () => string,
    private readonly onInternalError: (message: string, error: unknown) => void,
  ) {}

  async notify(input: NotifyInput): Promise<Notification | undefined> {
    const notification: Notification = {
      id: this.newId(),
      taskId: input.task.id,
      taskType: input.task.type,
      kind: input.kind,
      error: input.kind === 'error',
      message: input.message,
      ...(input.detail === undefined ? {} : { detail: input.detail }),
      createdAt: this.now(),
      acknowledged: false,
    };
    try {
      await this.store.put(notification);
    } catch (error) {
      this.onInternalError('Could not store a notification', error);
      return undefined;
    }
    try {
      const sent = await this.mail.send({
        task: input.task,
        taskType: input.taskType,
        stage: 'notification',
        recipients: this.operators,
        context: { notification },
      });
      if (!sent) return notification;
      const emailed = { ...notification, emailedAt: this.now() };
      await this.store.markEmailed(notification.id, emailed.emailedAt);
      return emailed;
    } catch (error) {
      this.onInternalError('Could not email a notification', error);
      await this.store
        .put({
          ...notification,
          id: this.newId(),
          kind: 'error',
          error: true,
          message: `Notification ${notification.id} could not be emailed to the operators.`,
          detail: describeError(error),
          createdAt: this.now(),
        })
        .catch((storeError: unknown) => this.onInternalError('Could not store a notification', storeError));
      return notification;
    }
  }
}

export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `Error: ${String(error)}`;
