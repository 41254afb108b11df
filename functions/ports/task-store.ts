import type { Notification } from '#core/notification';
import type { Task, TaskStatus } from '#core/task';

/** What a one-time secret (user token or approval link) unlocks. Only the SHA-256 is stored. */
export interface SecretRecord {
  readonly hash: string;
  readonly kind: 'token' | 'approval';
  readonly taskId: string;
  /** For approval links: the approver the link was sent to. */
  readonly recipient?: string;
  readonly createdAt: string;
  /** ISO time after which the secret no longer works. */
  readonly validUntil: string;
  readonly usedAt?: string;
  readonly usedBy?: string;
  /** Set when a newer secret replaced this one, or the task moved on without it. */
  readonly revokedAt?: string;
  readonly revokedReason?: string;
}

export interface SaveCondition {
  /** The version the caller read; the write fails with `ConcurrentUpdateError` if it moved on. */
  readonly version: number;
}

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

/** What an `Idempotency-Key` maps to: the request's fingerprint and, once done, its answer. */
export type IdempotencyState =
  | { readonly state: 'new' }
  | { readonly state: 'in-progress'; readonly fingerprint: string }
  | { readonly state: 'done'; readonly fingerprint: string; readonly response: { status: number; body: unknown } };

export interface TaskStore {
  get(id: string): Promise<Task | undefined>;
  /** Writes a new task; fails if the id exists. */
  create(task: Task): Promise<void>;
  /** Writes the task with `version + 1`, only if the stored version is still `condition.version`. */
  save(task: Task, condition: SaveCondition): Promise<Task>;
  /** Newest first. */
  list(query: TaskQuery): Promise<Page<Task>>;
  countByStatus(): Promise<Record<TaskStatus, number>>;

  putSecret(secret: SecretRecord): Promise<void>;
  getSecret(hash: string): Promise<SecretRecord | undefined>;
  /**
   * Marks the secret used, only if it is unused, unrevoked and still valid at `at`; returns false
   * when another request used it first (exactly one of concurrent consumers wins).
   */
  consumeSecret(hash: string, usedBy: string, at: string): Promise<boolean>;
  /** Makes a consumed secret usable again (the submit it was consumed for did not go through). */
  releaseSecret(hash: string): Promise<void>;
  /** Revokes every live secret of the task (approval links after a decision, old tokens). */
  revokeSecrets(taskId: string, kind: SecretRecord['kind'], at: string, reason: string): Promise<void>;
  /** Newest first. */
  listSecrets(kind: SecretRecord['kind'], limit: number, cursor?: string): Promise<Page<SecretRecord>>;
  /** Deletes secrets of this kind that stopped working before `before`; returns how many. */
  deleteExpiredSecrets(kind: SecretRecord['kind'], before: string): Promise<number>;

  /** The open task holding a duplicate key, if any. */
  getDuplicateHolder(key: string): Promise<string | undefined>;
  /** Points the key at `taskId` if it still points at `expected` (undefined = no holder); false otherwise. */
  claimDuplicate(key: string, taskId: string, expected: string | undefined): Promise<boolean>;

  putNotification(notification: Notification): Promise<void>;
  getNotification(id: string): Promise<Notification | undefined>;
  updateNotification(notification: Notification): Promise<void>;
  /** Newest first; `acknowledged` filters. */
  listNotifications(query: { acknowledged?: boolean; limit: number; cursor?: string }): Promise<Page<Notification>>;

  /** Starts an idempotent request, or tells what a previous one with the same key did. */
  beginIdempotent(key: string, fingerprint: string, at: string, ttlSeconds: number): Promise<IdempotencyState>;
  completeIdempotent(key: string, response: { status: number; body: unknown }): Promise<void>;
  /** Forgets an in-progress key whose request failed, so it can be retried. */
  abandonIdempotent(key: string): Promise<void>;
}

export type { Task, TaskStatus };
