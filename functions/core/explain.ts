import { InvalidTransitionError, TaskAlreadyDecidedError } from './errors.ts';
import type { ActionRecord, HistoryEntry, Task, TaskStatus } from './task.ts';

const DECIDED_EVENTS = new Set(['approved', 'rejected', 'auto-approved', 'auto-rejected']);

export const OPEN_STATUSES: readonly TaskStatus[] = ['pending', 'approved', 'awaiting_token'];

export const isApprovedOrLater = (status: TaskStatus): boolean => status === 'approved' || status === 'awaiting_token' || status === 'completed';

/** Actions preApprove found invalid. */
export const invalidActions = (task: Task): ActionRecord[] => task.actions.filter((action) => action.valid === false);
/** Actions whose preApprove has not run on their current data. */
export const validatingActions = (task: Task): ActionRecord[] => task.actions.filter((action) => action.valid === null);

export const describeInvalid = (invalid: readonly ActionRecord[]): string =>
  invalid.map((action) => `${action.name} (${action.notes.map((note) => note.text).join('; ') || 'no reason recorded'})`).join(', ');

export const lastDecision = (task: Task): HistoryEntry | undefined => [...task.history].reverse().find((entry) => DECIDED_EVENTS.has(entry.event));

export function alreadyDecided(task: Task, entry: HistoryEntry): TaskAlreadyDecidedError {
  const verb = entry.to === 'rejected' ? 'rejected' : 'approved';
  return new TaskAlreadyDecidedError(`Task ${task.id} was already ${verb} by ${entry.by.id} at ${entry.at}.`, {
    extensions: { taskId: task.id, taskStatus: task.status, decidedBy: entry.by.id, decidedAt: entry.at, decision: verb },
  });
}

/** Throws unless the task still waits for a decision: who decided and when, or why it cannot be. */
export function assertUndecided(task: Task): void {
  if (task.status === 'pending') return;
  const decided = lastDecision(task);
  if (decided) throw alreadyDecided(task, decided);
  throw new InvalidTransitionError(`Task ${task.id} is ${task.status} and can no longer be decided.`, {
    extensions: { taskId: task.id, taskStatus: task.status },
  });
}

export const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');

export const summary = (task: Task) => ({ id: task.id, type: task.type, status: task.status, createdAt: task.createdAt });
