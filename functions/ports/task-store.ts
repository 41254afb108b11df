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

export interface TaskStore {
  get(id: string): Promise<Task | undefined>;
  /** Writes a new task; fails if the id exists. */
  create(task: Task): Promise<void>;
  /** Writes the task with `version + 1`, only if the stored version is still `condition.version`. */
  save(task: Task, condition: SaveCondition): Promise<Task>;

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
}

export type { Task, TaskStatus };
