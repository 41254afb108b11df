import type { Clock } from '#ports/clock';
import type { EventPublisher } from '#ports/events';
import type { TaskStore } from '#ports/task-store';
import type { CoreConfig } from './deps.ts';
import { ConcurrentUpdateError, ForbiddenError, NotFoundError, PreconditionFailedError } from './errors.ts';
import { lifecycleEventsOf } from './events.ts';
import type { Notifier } from './notifier.ts';
import { describeError } from './notifier.ts';
import type { TaskType } from './task-type.ts';
import { TERMINAL_STATUSES, type Task } from './task.ts';
import { type Write, write } from './writes.ts';

/** What a change decides, given the task as it is now. Pure: no I/O, no clock reads that matter. */
export interface Outcome<R> {
  /** Nothing to write (already done, or nothing changes): the task is answered as it is. */
  readonly write?: Write;
  readonly result: R;
}

export type Change<R> = (task: Task) => Outcome<R>;

export interface CommitOptions {
  /** The task as the caller just read it: saves the first read. */
  readonly current?: Task;
  /** The client's `If-Match`: the write also requires this version, and a mismatch is 412. */
  readonly ifMatch?: number;
  /**
   * The caller acts on tasks of this project only (a project admin): a task of another project, or
   * of none, is refused with 403 before any change is decided, and the write requires the project.
   */
  readonly projectId?: string;
}

export interface Committed<R> {
  readonly task: Task;
  readonly result: R;
  /** Whether this call wrote (false: the change found nothing to do). */
  readonly applied: boolean;
}

interface CommitterDeps {
  readonly tasks: TaskStore;
  readonly clock: Clock;
  readonly config: CoreConfig;
  readonly announce: {
    readonly events: EventPublisher | undefined;
    readonly notifier: Notifier;
    readonly taskTypeOf: (task: Task) => TaskType | undefined;
    readonly onInternalError: (message: string, error: unknown) => void;
  };
}

/** A change whose conditions keep failing against fresh reads is a bug, not contention. */
const MAX_ATTEMPTS = 8;

/**
 * The one commit path. Every change to a task goes: read → pure change → conditional write (on
 * what the change depends on) → on a failed condition, read again and decide again → announce the
 * transition's events → TTL is part of the write that ends the task. Nothing else writes a task.
 */
export class Committer {
  /** Conditional writes that lost and were decided again (reported by the benchmarks). */
  conflicts = 0;

  constructor(private readonly deps: CommitterDeps) {}

  async read(taskId: string): Promise<Task> {
    const task = await this.deps.tasks.get(taskId);
    if (!task) throw new NotFoundError(`There is no task ${taskId}.`);
    return task;
  }

  /** Writes a new task (its id must be new) and announces its creation. */
  async create(task: Task): Promise<void> {
    if (!(await this.deps.tasks.create(task))) throw new ConcurrentUpdateError(`Task ${task.id} already exists.`);
    await this.announce(task);
  }

  async commit<R>(taskId: string, change: Change<R>, options: CommitOptions = {}): Promise<Committed<R>> {
    let task = options.current ?? (await this.read(taskId));
    for (let attempt = 1; ; attempt++) {
      if (options.projectId !== undefined && task.projectId !== options.projectId) throw notOfProject();
      if (options.ifMatch !== undefined && task.version !== options.ifMatch) throw preconditionFailed(task, options.ifMatch);
      const outcome = change(task);
      if (!outcome.write) return { task, result: outcome.result, applied: false };
      const planned = this.finish(outcome.write, options);
      const written = await this.deps.tasks.update(taskId, planned);
      if (written.applied) {
        if (outcome.write.entry) await this.announce(written.task);
        return { task: written.task, result: outcome.result, applied: true };
      }
      if (!written.task) throw new NotFoundError(`There is no task ${taskId}.`);
      if (attempt >= MAX_ATTEMPTS) throw new ConcurrentUpdateError(`Task ${taskId} kept changing while this request was handled; try again.`);
      this.conflicts++;
      task = written.task;
    }
  }

  /** Adds what every write needs: `updatedAt`, the If-Match condition, and the TTL of an ending. */
  private finish(planned: Write, options: CommitOptions) {
    const at = this.deps.clock.now();
    // A failed task is kept until an admin retries or cancels it; every other ending gets its TTL.
    const ends = planned.entry !== undefined && planned.entry.to !== 'failed' && TERMINAL_STATUSES.includes(planned.entry.to);
    const minutes = this.deps.config.trackActions === false ? 0 : (this.deps.config.ttlMinutes ?? 1440);
    const finished = write(
      planned,
      { set: [{ path: ['updatedAt'], value: at.toISOString() }] },
      options.ifMatch === undefined ? {} : { conditions: [{ path: ['version'], equals: options.ifMatch }] },
      options.projectId === undefined ? {} : { conditions: [{ path: ['projectId'], equals: options.projectId }] },
      // Whole epoch seconds, also for fractional minutes (the local stack's tests use a TTL of seconds).
      ends ? { set: [{ path: ['expiresAt'], value: Math.floor(at.getTime() / 1000 + minutes * 60) }], remove: [['wait'], ['queuedVote'], ['awaiting']] } : {},
    );
    const removed = new Set(finished.remove.map((path) => path.join('.')));
    return { ...finished, set: finished.set.filter((entry) => !removed.has(entry.path.join('.'))) };
  }

  /**
   * Publishes the events of the transition just committed. Never throws: the transition happened,
   * and a retried step would find it done and not publish again. A failure is logged and becomes an
   * operator error notification holding the events, to replay by hand.
   */
  private async announce(task: Task): Promise<void> {
    const { events, notifier, taskTypeOf, onInternalError } = this.deps.announce;
    const lifecycle = lifecycleEventsOf(task);
    if (!events || lifecycle.length === 0) return;
    try {
      await events.publish(lifecycle);
    } catch (error) {
      onInternalError('Could not publish lifecycle events', error);
      await notifier.notify({
        task,
        taskType: taskTypeOf(task),
        kind: 'error',
        message: `The ${lifecycle.map((event) => event.detailType).join(', ')} event(s) of task ${task.id} could not be published; the detail holds them for a replay.`,
        detail: `${describeError(error)}\nEvents: ${JSON.stringify(lifecycle)}`,
      });
    }
  }
}

/** The same answer for a task of another project and one of none: it says nothing about the task. */
export const NOT_OF_PROJECT = 'This needs the role "admin", or "project_admin" of the task\'s project.';
const notOfProject = () => new ForbiddenError(NOT_OF_PROJECT);

const preconditionFailed = (task: Task, expected: number) =>
  new PreconditionFailedError(`Task ${task.id} is at version ${task.version}, not ${expected} (If-Match). Read it again and decide on what it is now.`, {
    extensions: { taskId: task.id, version: task.version },
  });
