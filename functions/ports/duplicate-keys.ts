/** Duplicate keys: which task holds the key of an identical request (type + normalised data). */
export interface DuplicateKeyStore {
  /** The task holding the key, if any (it may have ended: the caller checks). */
  holder(key: string): Promise<string | undefined>;
  /** Points the key at `taskId` if it still points at `expected` (undefined = no holder); false otherwise. */
  claim(key: string, taskId: string, expected: string | undefined): Promise<boolean>;
}
