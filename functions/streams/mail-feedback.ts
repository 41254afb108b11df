/**
 * Mail feedback: SES publishes the bounces and complaints of the emails sent with Assent's
 * configuration set to the account's default EventBridge bus (lib/constructs/mail-feedback.ts);
 * a rule invokes this Lambda with each. The task id comes from the email's `taskId` message tag
 * (functions/adapters/ses/mailer.ts), and the operators get a notification saying what to do.
 * Other SES events (deliveries, sends...) are ignored.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import type { Core } from '#core/facades';
import type { MailFeedback, MailFeedbackOutcome } from '#core/mail-feedback';
import { getApp } from '../app.ts';
import { logger } from '../logger.ts';

/** The message tag SesMailer puts the task id in. */
export const TASK_ID_TAG = 'taskId';
/** At most this much of each recipient's diagnostic is kept (an SMTP reply can be long). */
const MAX_DIAGNOSTIC = 300;

const MailSchema = z.object({
  messageId: z.string(),
  /** Message tags, each name with its values (`{"taskId":["01J…"]}`). */
  tags: z.record(z.string(), z.array(z.string())).optional(),
});

const BounceEventSchema = z.object({
  eventType: z.literal('Bounce'),
  mail: MailSchema,
  bounce: z.object({
    bounceType: z.string(),
    bounceSubType: z.string(),
    bouncedRecipients: z.array(z.object({ emailAddress: z.string(), status: z.string().optional(), diagnosticCode: z.string().optional() })),
    feedbackId: z.string().optional(),
  }),
});

const ComplaintEventSchema = z.object({
  eventType: z.literal('Complaint'),
  mail: MailSchema,
  complaint: z.object({
    complainedRecipients: z.array(z.object({ emailAddress: z.string() })),
    complaintFeedbackType: z.string().optional(),
    feedbackId: z.string().optional(),
  }),
});

/** The `detail` of the SES events this function acts on (the event publishing record). */
export const SesFeedbackEventSchema = z.discriminatedUnion('eventType', [BounceEventSchema, ComplaintEventSchema]);
export type SesFeedbackEvent = z.infer<typeof SesFeedbackEventSchema>;

const ids = (mail: SesFeedbackEvent['mail'], feedbackId: string | undefined) => `SES message ${mail.messageId}${feedbackId ? `, feedback ${feedbackId}` : ''}`;
const clip = (text: string) => (text.length > MAX_DIAGNOSTIC ? `${text.slice(0, MAX_DIAGNOSTIC)}…` : text);

/** What an SES event says about a task's email; undefined for any other event (or a malformed one). */
export function mailFeedbackOf(detail: unknown): MailFeedback | undefined {
  const parsed = SesFeedbackEventSchema.safeParse(detail);
  if (!parsed.success) return undefined;
  const event = parsed.data;
  const taskId = event.mail.tags?.[TASK_ID_TAG]?.[0];
  if (event.eventType === 'Bounce') {
    const { bounce } = event;
    const lines = bounce.bouncedRecipients.map((recipient) => clip([`${recipient.emailAddress}:`, recipient.status, recipient.diagnosticCode].filter(Boolean).join(' ')));
    return {
      kind: 'bounce',
      taskId,
      recipients: bounce.bouncedRecipients.map((recipient) => recipient.emailAddress),
      type: `${bounce.bounceType}/${bounce.bounceSubType}`,
      permanent: bounce.bounceType === 'Permanent',
      detail: [...lines, ids(event.mail, bounce.feedbackId)].join('\n'),
    };
  }
  const { complaint } = event;
  return {
    kind: 'complaint',
    taskId,
    recipients: complaint.complainedRecipients.map((recipient) => recipient.emailAddress),
    type: complaint.complaintFeedbackType ?? 'unknown',
    permanent: false,
    detail: ids(event.mail, complaint.feedbackId),
  };
}

/** Handles one event: `ignored` when it is not a bounce or complaint, else what the core did. */
export async function handleMailFeedback(event: Pick<EventBridgeEvent<string, unknown>, 'detail-type' | 'detail'>, core: { readonly streams: Pick<Core['streams'], 'mailFeedback'> }): Promise<MailFeedbackOutcome | 'ignored'> {
  const feedback = mailFeedbackOf(event.detail);
  if (!feedback) {
    logger.warn('Ignored an SES event that is not a bounce or a complaint', { detailType: event['detail-type'] });
    return 'ignored';
  }
  const outcome = await core.streams.mailFeedback(feedback);
  const entry = { kind: feedback.kind, type: feedback.type, taskId: feedback.taskId, outcome };
  if (outcome === 'notified' || outcome === 'recorded') logger.info('Mail feedback', entry);
  else logger.warn('Mail feedback about no task the table holds: nobody was notified', entry);
  return outcome;
}

/** The EventBridge rule's Lambda (asynchronous: a thrown error is retried by Lambda). */
export const handler = middy<EventBridgeEvent<string, unknown>, MailFeedbackOutcome | 'ignored'>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => handleMailFeedback(event, getApp('mailFeedback').core));
