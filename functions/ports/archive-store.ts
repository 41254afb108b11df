/** Where records deleted by TTL are kept (S3 on AWS, s3rver locally). */
export interface ArchiveStore {
  /**
   * Writes `lines` (one JSON document each) as one JSON Lines object under `key`; throws if the
   * object was not written.
   */
  put(key: string, lines: readonly string[]): Promise<void>;
  /** The address of `key` to show people (`s3://bucket/key`). */
  locationOf(key: string): string;
}

/** Where an archived task went, kept at `archive/index/tasks/<id>.json`. */
export interface ArchivedTaskIndex {
  readonly taskId: string;
  /** `s3://<bucket>/<key>` of the JSON Lines object holding the task. */
  readonly location: string;
  readonly archivedAt: string;
  /** The requester's subject, so only they (or an admin) learn where it went. */
  readonly requester: string | null;
}

/** Finds archived tasks (for `GET /v1/tasks/{id}` answering "archived, and where"). */
export interface ArchiveLookup {
  findTask(taskId: string): Promise<ArchivedTaskIndex | undefined>;
}
