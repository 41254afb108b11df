import * as z from 'zod';
import { ActorSchema } from './identity.ts';
import { type HistoryEntry, type Task, TaskStatusSchema } from './task.ts';

/** The lifecycle events Assent publishes (EventBridge `detail-type`), source `assent`. */
export const LifecycleEventTypeSchema = z.enum([
  'task.created',
  'task.approved',
  'task.rejected',
  'task.token_issued',
  'task.completed',
  'task.failed',
  'task.cancelled',
  'task.expired',
  'action.completed',
]);
export type LifecycleEventType = z.infer<typeof LifecycleEventTypeSchema>;

/**
 * One lifecycle event: ids, type and status only. Never the task's data, notes, reasons, emails of
 * requesters (a requester is their JWT `sub` or `anonymous`), tokens or links.
 */
export const LifecycleEventSchema = z.strictObject({
  detailType: LifecycleEventTypeSchema,
  detail: z.strictObject({
    taskId: z.string(),
    taskType: z.string(),
    /** The task's status after the transition. */
    status: TaskStatusSchema,
    /** ISO time of the transition (its history entry). */
    at: z.string(),
    /** Who made the transition, as written in the history. */
    actor: ActorSchema.optional(),
    /** For `action.completed`: the action's name. */
    action: z.string().optional(),
  }),
});
export type LifecycleEvent = z.infer<typeof LifecycleEventSchema>;

/** The event type of a history entry (by the status it moved to); none for an admin retry. */
function typeOf(entry: HistoryEntry): LifecycleEventType | undefined {
  if (entry.event === 'retried') return undefined;
  switch (entry.to) {
    case 'pending':
      return 'task.created';
    case 'approved':
      return 'task.approved';
    case 'awaiting_token':
      return 'task.token_issued';
    default:
      return `task.${entry.to}`;
  }
}

/**
 * The events of the task's latest transition (its last history entry), to publish right after it
 * is saved: one task event, and for a completion one `action.completed` per action, in order.
 */
export function lifecycleEventsOf(task: Task): LifecycleEvent[] {
  const entry = task.history.at(-1);
  const detailType = entry ? typeOf(entry) : undefined;
  if (!entry || !detailType) return [];
  const base = { taskId: task.id, taskType: task.type, status: entry.to, at: entry.at, actor: { kind: entry.by.kind, id: entry.by.id } };
  const event: LifecycleEvent = { detailType, detail: base };
  if (detailType !== 'task.completed') return [event];
  return [event, ...task.actions.map((action): LifecycleEvent => ({ detailType: 'action.completed', detail: { ...base, action: action.name } }))];
}
