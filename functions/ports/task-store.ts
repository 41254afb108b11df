import type { Task, TaskStatus } from '#core/task';

/**
 * Where a value sits in a task: top-level attribute names and, below them, object keys or list
 * indexes (`['actions', 0, 'valid']`, `['wait', 'round']`).
 */
export type TaskPath = readonly [keyof Task & string, ...(string | number)[]];

/**
 * One precondition of a write. Writes are guarded by what they depend on (the status, the wait
 * they answer, the data revision a stage validated), never by "nothing else changed".
 */
export type TaskCondition =
  | { readonly path: TaskPath; readonly equals: string | number | boolean }
  | { readonly path: TaskPath; readonly in: readonly (string | number)[] }
  | { readonly path: TaskPath; readonly exists: boolean };

/**
 * A targeted change of one task: attributes set, removed, or appended to (lists), and the
 * conditions it needs. Only what changes is written: a note does not rewrite the actions, a stage's
 * results do not rewrite the history. Every applied update also increments `version` (the ETag).
 */
export interface TaskUpdate {
  readonly set?: readonly { readonly path: TaskPath; readonly value: unknown }[];
  readonly remove?: readonly TaskPath[];
  readonly append?: readonly { readonly path: TaskPath; readonly items: readonly unknown[] }[];
  readonly conditions: readonly TaskCondition[];
}

export type UpdateResult =
  | { readonly applied: true; readonly task: Task }
  | { readonly applied: false; readonly task: Task | undefined };

export interface TaskQuery {
  readonly status?: TaskStatus;
  readonly type?: string;
  /** Subject (`sub`) of the requester. */
  readonly requester?: string;
  /** ISO times, inclusive. */
  readonly createdFrom?: string;
  readonly createdTo?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Opaque; pass it back for the next page. Absent on the last page. */
  readonly cursor?: string;
}

/**
 * Tasks. Only the committer (functions/core/committer.ts) calls `create` and `update`; everything
 * else reads.
 */
export interface TaskStore {
  get(id: string): Promise<Task | undefined>;
  /** Several tasks at once, in no particular order; missing ones are left out. */
  getMany(ids: readonly string[]): Promise<Task[]>;
  /** Writes a new task; false if the id exists. */
  create(task: Task): Promise<boolean>;
  /**
   * Applies `update` if the task exists and every condition holds. Applied: the task as it now is.
   * Not applied: the task as it is (what made a condition fail), or `undefined` if there is none.
   */
  update(id: string, update: TaskUpdate): Promise<UpdateResult>;
  /** Newest first. */
  list(query: TaskQuery): Promise<Page<Task>>;
  countByStatus(): Promise<Record<TaskStatus, number>>;
}

export type { Task, TaskStatus };
