import type { Context } from './context.ts';
import { TransientError } from './errors.ts';
import { stageFor } from './mailing.ts';
import type { Notification } from './notification.ts';
import type { Task } from './task.ts';

/**
 * What SES reported about one email Assent sent: it bounced, or a recipient marked it as spam.
 * Built at the edge from an SES event (functions/streams/mail-feedback.ts).
 */
export interface MailFeedback {
  readonly kind: 'bounce' | 'complaint';
  /** The `taskId` message tag the mailer put on the email; undefined on an email without it. */
  readonly taskId: string | undefined;
  /** The recipients it is about: those that bounced, or those that complained. */
  readonly recipients: readonly string[];
  /**
   * For a bounce, `Permanent`, `Transient` or `Undetermined` and SES's subtype
   * (`Permanent/General`); for a complaint, the feedback type (`abuse`) or `unknown`.
   */
  readonly type: string;
  /** For a bounce: whether SES will not try the address again (`Permanent`). */
  readonly permanent: boolean;
  /** What SES said, one line per recipient, and the message and feedback ids. */
  readonly detail: string;
}

/**
 * `notified`: the operators were told (stored and emailed); `recorded`: stored but not emailed,
 * because it is about an address the notification would go to; `untagged`: the email carries no
 * task id; `task-gone`: its task is no longer in the table (TTL removed it).
 */
export type MailFeedbackOutcome = 'notified' | 'recorded' | 'untagged' | 'task-gone';

/**
 * Tells the operators that an email of a task bounced or drew a complaint, with what to do about
 * it. Feedback about an operator's own address is stored (listed by `GET /v1/notifications`) but
 * not emailed: the notification would go to that address, bounce, and come back here.
 * @throws TransientError when the notification cannot be stored (the event is delivered again)
 */
export async function recordMailFeedback(ctx: Context, feedback: MailFeedback): Promise<MailFeedbackOutcome> {
  if (!feedback.taskId) return 'untagged';
  const task = await ctx.deps.tasks.get(feedback.taskId);
  if (!task) return 'task-gone';
  const taskType = ctx.taskTypeOf(task);
  const operators = (stageFor(taskType, 'notification').to ?? ctx.deps.config.operatorEmails).map((address) => address.toLowerCase());
  const aboutOperators = feedback.recipients.length > 0 && feedback.recipients.every((address) => operators.includes(address.toLowerCase()));
  const message = messageOf(task, feedback);
  if (aboutOperators) {
    await ctx.deps.notifications.put(recordOf(ctx, task, `${message} Not emailed: it is about an operator address, so the email would bounce again.`, feedback.detail));
    return 'recorded';
  }
  const notification = await ctx.notifier.notify({ task, taskType, kind: 'error', message, detail: feedback.detail });
  if (!notification) throw new TransientError(`Storing the ${feedback.kind} notification of task ${task.id} failed; the event is delivered again.`);
  return 'notified';
}

/** One line: what happened to which email, and what an operator can do. */
function messageOf(task: Task, feedback: MailFeedback): string {
  const about = `an email of task ${task.id} (${task.type}, ${task.status}) to ${feedback.recipients.join(', ') || 'an unnamed recipient'}`;
  if (feedback.kind === 'complaint') {
    return `A recipient marked ${about} as spam (${feedback.type}). Complaints count against the SES account's reputation: check that the request is genuine, and cancel it if not (POST /v1/tasks/${task.id}/cancel).`;
  }
  if (feedback.permanent) {
    return `${capitalized(about)} bounced (${feedback.type}): the address does not accept mail and SES will not try it again. A mistyped requester address: cancel the task (POST /v1/tasks/${task.id}/cancel) and ask for a new request; an approver's address: fix it in the user pool (or the type's approval policy); an operator's: fix operators in the Assent configuration.`;
  }
  return `${capitalized(about)} bounced (${feedback.type}) after SES's retries: the mailbox may be full or its server down. If the task waits for its token, send it again later (POST /v1/tasks/${task.id}/token).`;
}

const capitalized = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** A notification stored as the notifier stores one, never emailed. */
const recordOf = (ctx: Context, task: Task, message: string, detail: string): Notification => ({
  id: ctx.deps.newId(),
  taskId: task.id,
  taskType: task.type,
  kind: 'error',
  error: true,
  message,
  detail,
  createdAt: ctx.now(),
  acknowledged: false,
});
