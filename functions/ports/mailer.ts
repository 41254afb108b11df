export interface Email {
  readonly to: readonly string[];
  readonly from: string;
  readonly replyTo?: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** The task the email is about; adapters add it as the `X-Assent-Task-Id` header where they can. */
  readonly taskId: string;
}

export interface Mailer {
  /** Sends one email; returns the provider's message id. */
  send(email: Email): Promise<string>;
}
