/** Where records deleted by TTL are kept (S3 on AWS, s3rver locally). */
export interface ArchiveStore {
  /**
   * Writes `lines` (one JSON document each) as one JSON Lines object under `key`; throws if the
   * object was not written.
   */
  put(key: string, lines: readonly string[]): Promise<void>;
}
