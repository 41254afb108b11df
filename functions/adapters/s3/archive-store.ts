import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArchiveStore } from '#ports/archive-store';
import { rethrowAws } from '../aws-errors.ts';

/** The media type of JSON Lines objects. */
export const JSON_LINES = 'application/x-ndjson';

export interface S3ArchiveStoreOptions {
  readonly client: S3Client;
  /** The archive bucket (`ASSENT_ARCHIVE_BUCKET`). */
  readonly bucket: string;
}

/** Writes archive objects with PutObject, encrypted at rest with S3-managed keys (SSE-S3). */
export class S3ArchiveStore implements ArchiveStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3ArchiveStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
  }

  async put(key: string, lines: readonly string[]): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: lines.map((line) => `${line}\n`).join(''),
          ContentType: JSON_LINES,
          ServerSideEncryption: 'AES256',
        }),
      );
    } catch (error) {
      rethrowAws(error, `Archiving ${key}`);
    }
  }
}
