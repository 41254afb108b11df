/**
 * What each operator alarm says (its AlarmDescription, which the SNS email carries): what the alarm
 * means and what to do. One place, so docs/deploying.md ("Alarms") and the alarms say the same.
 */

/** The reconciler's metric (functions/schedules/reconcile.ts publishes it; test/infra ties the names). */
export const STRANDED_TASKS = { namespace: 'Assent', metricName: 'StrandedTasks' } as const;

const THEN_LOGS = "Read the function's log group (the stack's Logs: <function>/LogGroup) for the error.";

export const ALARM_DESCRIPTIONS = {
  workflowFailed:
    'Task workflow executions failed. Every failure path ends in the Failed state: a task that failed has an error notification (GET /v1/notifications?acknowledged=false) saying why, and an admin retries it with POST /v1/tasks/{id}/retry once the cause is fixed; an approval or token that timed out also ends there (the task is rejected, cancelled or expired: expected, nothing to do). Without a notification, open the execution (its name is the task id) in the Step Functions console.',
  api5xx:
    "The HTTP API answered 5xx. 500: a bug (the HTTP function's log: \"Unhandled error\"); 503: DynamoDB, Step Functions or SES throttled or unreachable (\"Transient failure\"; callers were told to retry after Retry-After); 502 or 504: the HTTP function crashed or timed out (access log: integrationError; see the HttpHandlerErrors alarm).",
  errors: {
    HttpHandler: `The HTTP function failed invocations (a crash or a timeout: error answers are responses, not failures), so API Gateway answered 502 or 504. ${THEN_LOGS}`,
    StepsHandler: `The workflow's steps function failed invocations. The state machine retries them; a task whose retries run out fails (WorkflowExecutionsFailed, and an error notification). ${THEN_LOGS}`,
    Archiver: `The archiver failed a batch of TTL removals. Lambda retries it, halving it, then describes it in the archive dead-letter queue; the records stay in the table stream for 24 h, so fix the cause (S3 access, the bucket) before then. ${THEN_LOGS}`,
    Outbox: `The outbox failed a batch (a timeout or a bug: a record it cannot act on is reported, not thrown). Lambda retries it, then sends it to the outbox dead-letter queue; meanwhile new tasks may wait for their execution (the reconciler starts them after its grace period). ${THEN_LOGS}`,
    Reconciler: `A reconciler run failed; the next one starts 5 minutes later. While runs fail, stranded tasks are neither started nor failed. ${THEN_LOGS}`,
    MailFeedbackHandler: `The mail feedback function failed on an SES bounce or complaint. Lambda retries it twice, then the event goes to the mail feedback dead-letter queue, and nobody is told of that bounce until it is handled. ${THEN_LOGS}`,
  },
  archiveDeadLetters:
    'Archive batches failed every retry: each message describes one (the table stream shard and sequence numbers, not the records). Those records are still in the stream for at most 24 h after TTL removed them; after that they are not archived. Fix the archiver (its log, the ArchiverErrors alarm), then re-drive: docs/archive.md.',
  outboxDeadLetters:
    "Outbox batches failed every retry: each message names the stream records (shard, sequence numbers). New tasks and retries among them are started by the reconciler after its grace period; a compensation (the undo after a cancel) is not run again by itself: the task has an error notification naming it, and its actions' effects must be undone by hand or by re-driving the records within the stream's 24 h.",
  mailFeedbackDeadLetters:
    'SES bounces or complaints that no operator notification was made for, after every retry: each message holds the SES event (the recipients, and the task id in mail.tags.taskId). Fix the mail feedback function (its log, the MailFeedbackHandlerErrors alarm), act on each bounce yourself (cancel the task, or fix the address: in the user pool for an approver, in operators for an operator), then delete the message.',
  strandedTasks:
    "The reconciler found open tasks whose execution never started (it started them) or ended while the task was open (it failed them, each with an error notification: retry them with POST /v1/tasks/{id}/retry). Either way the outbox or the state machine lost work: look at the OutboxErrors, OutboxDeadLetterQueueDepth and WorkflowExecutionsFailed alarms. GET /v1/status shows the last run's counts (stranded).",
} as const;
