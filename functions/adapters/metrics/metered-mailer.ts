import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Email, Mailer } from '#ports/mailer';
import { countOne, TASK_METRICS } from './count.ts';

/**
 * A Mailer that counts each email `inner` sent (`EmailsSent`, dimensions `taskType` and `emailKind`,
 * the task type's email it is: initial, approval, token...). An email that could not be sent is not
 * counted: its error goes on to the caller.
 */
export class MeteredMailer implements Mailer {
  constructor(
    private readonly inner: Mailer,
    private readonly metrics: Metrics,
  ) {}

  async send(email: Email): Promise<string> {
    const messageId = await this.inner.send(email);
    countOne(this.metrics, TASK_METRICS.emailsSent, {
      ...(email.taskType === undefined ? {} : { taskType: email.taskType }),
      ...(email.kind === undefined ? {} : { emailKind: email.kind }),
    });
    return messageId;
  }
}
