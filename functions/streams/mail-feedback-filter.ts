/**
 * Which SES events reach the mail feedback handler (functions/streams/mail-feedback.ts): CDK puts
 * them in the EventBridge rule's pattern (lib/constructs/mail-feedback.ts), with the configuration
 * set's name, which SES adds to every event as the `ses:configuration-set` tag.
 */

/** The `detail-type`s SES gives bounces and complaints on EventBridge. */
export const MAIL_FEEDBACK_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received'] as const;

/** The tag SES puts the configuration set's name in, on every event it publishes. */
export const CONFIGURATION_SET_TAG = 'ses:configuration-set';
