import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Email, Mailer } from '#ports/mailer';
import { rethrowAws } from '../aws-errors.ts';

export interface SesMailerOptions {
  readonly client: SESClient;
}

/** Sends through SES (or the local SES emulator). The task id travels as a message tag. */
export class SesMailer implements Mailer {
  private readonly client: SESClient;

  constructor(options: SesMailerOptions) {
    this.client = options.client;
  }

  async send(email: Email): Promise<string> {
    try {
      const { MessageId } = await this.client.send(
        new SendEmailCommand({
          Source: email.from,
          Destination: { ToAddresses: [...email.to] },
          ...(email.replyTo ? { ReplyToAddresses: [...email.replyTo] } : {}),
          Message: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              ...(email.html ? { Html: { Data: email.html, Charset: 'UTF-8' } } : {}),
            },
          },
          Tags: [{ Name: 'taskId', Value: email.taskId }],
        }),
      );
      return MessageId ?? '';
    } catch (error) {
      rethrowAws(error, 'Sending an email');
    }
  }
}
