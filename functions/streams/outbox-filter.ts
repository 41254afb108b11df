/**
 * Which table stream records reach the outbox (functions/streams/outbox.ts), as Lambda event
 * filter patterns: CDK puts them on the event source mapping (lib/constructs/task-recovery.ts) and
 * the local stream consumer applies the same patterns (local/dynamodb/filter-pattern.ts).
 *
 * - a new task (INSERT of a `TASK#` item): its first execution;
 * - an admin retry (MODIFY of a task from `failed` back to `pending` or `approved`, the only
 *   transitions out of `failed` besides `cancelled`, and the write that moves `attempt` on): attempt n + 1;
 * - a write that asks for compensation (MODIFY whose new image has `compensation.state` pending):
 *   the actions' undo hooks (functions/core/compensation.ts);
 * - a token submit's completion (MODIFY from `awaiting_token` to `completed`): the execution waiting
 *   for that token is told, should the submit have died before it could.
 *
 * A pattern cannot compare the old and the new image, so the handler checks again that `attempt`
 * changed, or that the compensation is newly pending; every other write of a task is filtered out
 * before Lambda is invoked.
 */
const TASK_KEY = { pk: { S: [{ prefix: 'TASK#' }] } };

export const OUTBOX_FILTER_PATTERNS = [
  { eventName: ['INSERT'], dynamodb: { Keys: TASK_KEY } },
  {
    eventName: ['MODIFY'],
    dynamodb: { Keys: TASK_KEY, OldImage: { status: { S: ['failed'] } }, NewImage: { status: { S: ['pending', 'approved'] } } },
  },
  { eventName: ['MODIFY'], dynamodb: { Keys: TASK_KEY, NewImage: { compensation: { M: { state: { S: ['pending'] } } } } } },
  {
    eventName: ['MODIFY'],
    dynamodb: { Keys: TASK_KEY, OldImage: { status: { S: ['awaiting_token'] } }, NewImage: { status: { S: ['completed'] } } },
  },
] as const;
