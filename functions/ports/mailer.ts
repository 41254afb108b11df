import type { EmailStageName } from '#core/task-type';

export interface Email {
  readonly to: readonly string[];
  readonly from: string;
  readonly replyTo?: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** The task the email is about; adapters add it as the `X-Assent-Task-Id` header where they can. */
  readonly taskId: string;
  /** The type of that task (the core's StageMailer always sets it; metrics count emails per task type). */
  readonly taskType?: string;
  /** Which of the task type's emails this is (its email stage: initial, approval, token...). */
  readonly kind?: EmailStageName;
}

export interface Mailer {
  /** Sends one email; returns the provider's message id. */
  send(email: Email): Promise<string>;
}
