import approvalHtml from '../templates/approval.html.njk';
import approvalText from '../templates/approval.txt.njk';
import cancelledText from '../templates/cancelled.txt.njk';
import completedText from '../templates/completed.txt.njk';
import initialText from '../templates/initial.txt.njk';
import notificationText from '../templates/notification.txt.njk';
import reminderHtml from '../templates/reminder.html.njk';
import reminderText from '../templates/reminder.txt.njk';
import rejectedText from '../templates/rejected.txt.njk';
import tokenHtml from '../templates/token.html.njk';
import tokenText from '../templates/token.txt.njk';
import type { EmailStage, EmailStageName } from './task-type.ts';

/**
 * Used for every stage a task type does not override (templates in functions/templates/). Every
 * email names the task id. `initial` is off unless a task type turns it on. The stages with a link
 * (approval, reminder, token) have an HTML version too, whose links are `<a href>`: a task type that
 * overrides such a stage's `text` overrides its `html` as well, or its readers get the default one.
 */
export const DEFAULT_EMAILS: Record<EmailStageName, EmailStage> = {
  initial: { enabled: false, subject: 'We received your {{ taskType }} request', text: initialText },
  approval: { enabled: true, subject: 'Approval needed: {{ taskType }} {{ taskId }}', text: approvalText, html: approvalHtml },
  reminder: { enabled: true, subject: 'Reminder - approval needed: {{ taskType }} {{ taskId }}', text: reminderText, html: reminderHtml },
  token: { enabled: true, subject: 'Action needed: {{ taskType }}', text: tokenText, html: tokenHtml },
  completed: { enabled: true, subject: 'Done: {{ taskType }}', text: completedText },
  rejected: { enabled: true, subject: 'Not approved: {{ taskType }}', text: rejectedText },
  cancelled: { enabled: true, subject: 'Cancelled: {{ taskType }}', text: cancelledText },
  notification: { enabled: true, subject: '{{ "Error" if notification.error else "Notice" }} - {{ taskType }} {{ taskId }}', text: notificationText },
};
