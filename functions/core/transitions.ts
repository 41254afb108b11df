import type { Actor } from './identity.ts';
import { InvalidTransitionError } from './errors.ts';
import type { HistoryEntry, Task, TaskStatus } from './task.ts';

/** Every allowed status change. Anything else is refused before a write is attempted. */
export const TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['approved', 'rejected', 'cancelled', 'failed'],
  approved: ['awaiting_token', 'completed', 'failed', 'cancelled'],
  awaiting_token: ['completed', 'failed', 'cancelled', 'expired'],
  completed: [],
  rejected: [],
  cancelled: [],
  /** An admin retry goes back to the status the failed step started from; or the task is cancelled. */
  failed: ['pending', 'approved', 'cancelled'],
  expired: [],
};

export const canTransition = (from: TaskStatus, to: TaskStatus): boolean => TRANSITIONS[from].includes(to);

export interface TransitionInput {
  readonly to: TaskStatus;
  readonly by: Actor;
  readonly event: string;
  readonly at: string;
  readonly reason?: string;
}

/**
 * Returns the task moved to `to` with a history entry, or throws `InvalidTransitionError` naming the
 * current status. The store enforces the same guard again with a conditional write.
 */
export function transition(task: Task, input: TransitionInput): Task {
  if (!canTransition(task.status, input.to)) {
    throw new InvalidTransitionError(`Task ${task.id} is ${task.status} and cannot become ${input.to}.`, {
      extensions: { taskStatus: task.status },
    });
  }
  const entry: HistoryEntry = {
    at: input.at,
    by: input.by,
    event: input.event,
    from: task.status,
    to: input.to,
    ...(input.reason === undefined ? {} : { reason: input.reason }),
  };
  return { ...task, status: input.to, updatedAt: input.at, history: [...task.history, entry] };
}
