/**
 * What a one-time secret (user token or approval link) unlocks. Only the SHA-256 is stored, and the
 * record is never written after it is issued: using a secret is its task's own write (the decision,
 * or the token submit's claim), guarded by the task waiting in the secret's round.
 */
export interface SecretRecord {
  readonly hash: string;
  readonly kind: 'token' | 'approval';
  readonly taskId: string;
  /**
   * The wait the secret belongs to (`task.wait.round` when it was issued). It works only while the
   * task still waits in that round: a decision, a cancel, a reissue or a new wait ends it without a
   * write to the secret.
   */
  readonly round: number;
  /** For approval links: the approver the link was sent to. */
  readonly recipient?: string;
  /** For approval links: the policy level (index) whose vote the link casts; it works only while that level is open. */
  readonly level?: number;
  /** For approval links: the approver's key in that level (functions/core/approval-state.ts), whose vote it casts. */
  readonly approver?: string;
  readonly createdAt: string;
  /** ISO time after which the secret no longer works. */
  readonly validUntil: string;
}

export interface SecretStore {
  /** Stores a new secret (its hash); kept for a while after `validUntil` so late clicks get a clear answer. */
  put(secret: SecretRecord): Promise<void>;
  get(hash: string): Promise<SecretRecord | undefined>;
  /** Newest first. */
  list(kind: SecretRecord['kind'], limit: number, cursor?: string): Promise<{ items: SecretRecord[]; cursor?: string }>;
  /** Deletes secrets of this kind that stopped working before `before`; returns how many. */
  deleteExpired(kind: SecretRecord['kind'], before: string): Promise<number>;
}
