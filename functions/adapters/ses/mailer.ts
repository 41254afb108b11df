import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Email, Mailer } from '#ports/mailer';
import { rethrowAws } from '../aws-errors.ts';

export interface SesMailerOptions {
  readonly client: SESClient;
  /**
   * The configuration set every email is sent with (`ASSENT_MAIL_CONFIGURATION_SET`): SES
   * publishes its bounces and complaints, tagged with the task id, to the operators.
   * @default - none (local mode)
   */
  readonly configurationSetName?: string;
}

/** A UTF-16 code unit of a surrogate pair without its other half (with `u`, a whole pair never matches). */
const LONE_SURROGATE = /\p{Surrogate}/gu;

/**
 * The text with each lone surrogate replaced by U+FFFD, as a UTF-8 encoder does. The SDK's query
 * serializer URL-encodes every field with encodeURIComponent, which throws `URIError: URI malformed`
 * on a lone surrogate before anything is sent: the email would be lost, not merely garbled.
 */
export const wellFormed = (text: string): string => text.replace(LONE_SURROGATE, '\ufffd');

/**
 * Sends through SES (or the local SES emulator), with the configuration set when one is given. The
 * task id travels as a message tag (SES repeats it in bounce and complaint events). Text that is
 * not well-formed UTF-16 is sent with U+FFFD for its lone surrogates rather than not at all.
 */
export class SesMailer implements Mailer {
  private readonly client: SESClient;
  private readonly configurationSetName: string | undefined;

  constructor(options: SesMailerOptions) {
    this.client = options.client;
    this.configurationSetName = options.configurationSetName;
  }

  async send(email: Email): Promise<string> {
    try {
      const { MessageId } = await this.client.send(
        new SendEmailCommand({
          Source: wellFormed(email.from),
          Destination: { ToAddresses: email.to.map(wellFormed) },
          ...(email.replyTo ? { ReplyToAddresses: email.replyTo.map(wellFormed) } : {}),
          Message: {
            Subject: { Data: wellFormed(email.subject), Charset: 'UTF-8' },
            Body: {
              Text: { Data: wellFormed(email.text), Charset: 'UTF-8' },
              ...(email.html ? { Html: { Data: wellFormed(email.html), Charset: 'UTF-8' } } : {}),
            },
          },
          Tags: [{ Name: 'taskId', Value: wellFormed(email.taskId) }],
          ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
        }),
      );
      return MessageId ?? '';
    } catch (error) {
      rethrowAws(error, 'Sending an email');
    }
  }
}
