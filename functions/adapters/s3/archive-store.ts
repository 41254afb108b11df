import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArchivedTaskIndex, ArchiveLookup, ArchiveStore } from '#ports/archive-store';
import { awsErrorName, rethrowAws } from '../aws-errors.ts';

/** The media type of JSON Lines objects. */
export const JSON_LINES = 'application/x-ndjson';

export interface S3ArchiveStoreOptions {
  readonly client: S3Client;
  /** The archive bucket (`ASSENT_ARCHIVE_BUCKET`). */
  readonly bucket: string;
}

/** Writes archive objects with PutObject, encrypted at rest with S3-managed keys (SSE-S3). */
export class S3ArchiveStore implements ArchiveStore, ArchiveLookup {
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

  /** The `s3://` address of a key in this bucket. */
  locationOf(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async findTask(taskId: string): Promise<ArchivedTaskIndex | undefined> {
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: archivedTaskIndexKey(taskId) }));
      const text = Body ? await Body.transformToString() : '';
      return text ? (JSON.parse(text.trim()) as ArchivedTaskIndex) : undefined;
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchKey' || awsErrorName(error) === 'NotFound') return undefined;
      rethrowAws(error, 'Looking up an archived task');
    }
  }
}

/** Where the index entry of an archived task lives. */
export const archivedTaskIndexKey = (taskId: string) => `archive/index/tasks/${taskId}.json`;
