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

/**
 * One part of what a signed-in caller who is not an admin may list (`TaskQuery.scope`). A store
 * keeps each task under one scope entry (its project when it has one, else its requester), so each
 * part is one exact lookup:
 * - `{ requester }`: that requester's tasks of no project;
 * - `{ project }`: every task of that project;
 * - `{ project, requester }`: that requester's tasks of that project.
 */
export type TaskScopePart = { readonly requester: string; readonly project?: undefined } | { readonly project: string; readonly requester?: string };

export interface TaskQuery {
  /**
   * Only tasks in one of these parts, newest first across them (tasks of no requester and no
   * project are in none). Absent: every task (what admins list). An empty list matches nothing.
   */
  readonly scope?: readonly TaskScopePart[];
  readonly status?: TaskStatus;
  readonly type?: string;
  /** Subject (`sub`) of the requester. */
  readonly requester?: string;
  /**
   * Only tasks whose open approval level waits for one of these (`task.awaiting`: addresses and
   * `sub:<id>`s of approvers who have not voted): a caller's inbox. Filtered within the pages read.
   */
  readonly awaiting?: readonly string[];
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
  /** Newest first; with a `scope`, only the tasks it names, and the other filters within them. */
  list(query: TaskQuery): Promise<Page<Task>>;
  countByStatus(): Promise<Record<TaskStatus, number>>;
}

export type { Task, TaskStatus };
