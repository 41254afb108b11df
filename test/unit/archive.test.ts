import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ArchiveStore } from '#adapters/s3/archive-store';
import { archiveBatch, archiveKeyFor, archivePrefixFor, isTtlRemoval } from '#functions/streams/archive';
import { readEnv } from '#functions/env';

const client = new S3Client({ region: 'us-east-1' });
const s3 = mockClient(client);
const store = new S3ArchiveStore({ client, bucket: 'assent-archive' });

/** 2026-11-23T10:00:00Z and 2026-11-23T23:59:59Z / 2026-11-24T00:00:01Z, in epoch seconds. */
const MORNING = 1_795_428_000;
const BEFORE_MIDNIGHT = 1_795_478_399;
const AFTER_MIDNIGHT = 1_795_478_401;
const NOW = new Date('2026-11-24T08:00:00.000Z');

const TTL = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
const oldImage = (id: string) => ({
  pk: { S: `TASK#${id}` },
  sk: { S: 'TASK' },
  id: { S: id },
  status: { S: 'completed' },
  expiresAt: { N: '1795427940' },
  notes: { L: [{ S: 'approved' }] },
  tags: { SS: ['a', 'b'] },
});
const record = (sequenceNumber: string, options: { id?: string; at?: number; eventName?: 'INSERT' | 'MODIFY' | 'REMOVE'; userIdentity?: unknown; oldImage?: boolean } = {}): DynamoDBRecord => {
  const id = options.id ?? `t${sequenceNumber}`;
  return {
    eventID: `e${sequenceNumber}`,
    eventName: options.eventName ?? 'REMOVE',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: options.at ?? MORNING,
      Keys: { pk: { S: `TASK#${id}` }, sk: { S: 'TASK' } },
      ...(options.oldImage === false ? {} : { OldImage: oldImage(id) }),
      SequenceNumber: sequenceNumber,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...(options.userIdentity === null ? {} : { userIdentity: options.userIdentity ?? TTL }),
  } as DynamoDBRecord;
};
const eventOf = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
const lineOf = (sequenceNumber: string, removedAt: string, id = `t${sequenceNumber}`) =>
  JSON.stringify({
    sequenceNumber,
    removedAt,
    item: { pk: `TASK#${id}`, sk: 'TASK', id, status: 'completed', expiresAt: 1_795_427_940, notes: ['approved'], tags: ['a', 'b'] },
  });

beforeEach(() => s3.reset());

/** PutObject calls for archive objects (the per-task index entries are checked on their own). */
const archiveObjects = () => s3.commandCalls(PutObjectCommand).filter((call) => !call.args[0].input.Key?.startsWith('archive/index/'));

describe('archiveBatch', () => {
  it('writes an index entry per archived task, after its object, so a read of the task can say where it went', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});

    // Act
    await archiveBatch(eventOf(record('300')), store, NOW);

    // Assess
    expect(s3.commandCalls(PutObjectCommand).map((call) => [call.args[0].input.Key, call.args[0].input.Body])).toStrictEqual([
      ['archive/2026/11/23/300-1.jsonl', `${lineOf('300', '2026-11-23T10:00:00.000Z')}\n`],
      [
        'archive/index/tasks/t300.json',
        '{"taskId":"t300","archivedAt":"2026-11-23T10:00:00.000Z","requester":null,"location":"s3://assent-archive/archive/2026/11/23/300-1.jsonl"}\n',
      ],
    ]);
  });

  it('writes the TTL removals of one day as one JSON Lines object, encrypted, keyed by day, first sequence number and count', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});

    // Act
    const response = await archiveBatch(eventOf(record('100'), record('101')), store, NOW);

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(archiveObjects().map((call) => call.args[0].input)).toStrictEqual([
      {
        Bucket: 'assent-archive',
        Key: 'archive/2026/11/23/100-2.jsonl',
        Body: `${lineOf('100', '2026-11-23T10:00:00.000Z')}\n${lineOf('101', '2026-11-23T10:00:00.000Z')}\n`,
        ContentType: 'application/x-ndjson',
        ServerSideEncryption: 'AES256',
      },
    ]);
  });

  it('ignores inserts, updates and removes not made by TTL (application deletes)', async () => {
    // Prepare
    const records = [
      record('1', { eventName: 'INSERT' }),
      record('2', { eventName: 'MODIFY', userIdentity: null }),
      record('3', { userIdentity: null }),
      record('4', { userIdentity: { type: 'Service', principalId: 'someone.amazonaws.com' } }),
    ];

    // Act
    const response = await archiveBatch(eventOf(...records), store, NOW);

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(s3.commandCalls(PutObjectCommand)).toStrictEqual([]);
    expect(records.map(isTtlRemoval)).toStrictEqual([false, false, false, false]);
  });

  it('archives only the TTL removals of a mixed batch', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});

    // Act
    await archiveBatch(eventOf(record('1', { eventName: 'INSERT' }), record('2'), record('3', { userIdentity: null })), store, NOW);

    // Assess
    expect(archiveObjects().map((call) => [call.args[0].input.Key, call.args[0].input.Body])).toStrictEqual([
      ['archive/2026/11/23/2-1.jsonl', `${lineOf('2', '2026-11-23T10:00:00.000Z')}\n`],
    ]);
  });

  it('writes one object per removal day when a batch spans midnight (UTC)', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});

    // Act
    await archiveBatch(eventOf(record('7', { at: BEFORE_MIDNIGHT }), record('8', { at: AFTER_MIDNIGHT }), record('9', { at: AFTER_MIDNIGHT })), store, NOW);

    // Assess
    expect(archiveObjects().map((call) => call.args[0].input.Key)).toStrictEqual(['archive/2026/11/23/7-1.jsonl', 'archive/2026/11/24/8-2.jsonl']);
  });

  it('fails a batch from the first record of the object it could not write, and writes nothing after it', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});
    s3.on(PutObjectCommand, { Key: 'archive/2026/11/24/8-1.jsonl' }).rejects(new Error('S3 is down'));

    // Act
    const response = await archiveBatch(eventOf(record('7', { at: BEFORE_MIDNIGHT }), record('8', { at: AFTER_MIDNIGHT }), record('9', { at: AFTER_MIDNIGHT + 86_400 })), store, NOW);

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: '8' }] });
    expect(archiveObjects().map((call) => call.args[0].input.Key)).toStrictEqual(['archive/2026/11/23/7-1.jsonl', 'archive/2026/11/24/8-1.jsonl']);
  });

  it('fails a TTL removal without OldImage (a stream without old images would lose data)', async () => {
    // Act
    const response = await archiveBatch(eventOf(record('5', { oldImage: false })), store, NOW);

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: '5' }] });
    expect(s3.commandCalls(PutObjectCommand)).toStrictEqual([]);
  });
});

describe('archive keys', () => {
  it('puts an object under archive/yyyy/mm/dd/ of its first record, named <first sequence number>-<count>.jsonl', () => {
    // Act & Assess
    expect(archiveKeyFor([record('42', { at: AFTER_MIDNIGHT }), record('43')], NOW)).toBe('archive/2026/11/24/42-2.jsonl');
    expect(archivePrefixFor(new Date('2027-01-05T23:00:00.000Z'))).toBe('archive/2027/01/05/');
  });

  it('uses the current time when a record has no ApproximateCreationDateTime', () => {
    // Prepare
    const undated = record('9');
    delete undated.dynamodb?.ApproximateCreationDateTime;

    // Act & Assess
    expect(archiveKeyFor([undated], NOW)).toBe('archive/2026/11/24/9-1.jsonl');
  });

  it('refuses an empty object', () => {
    // Act & Assess
    expect(() => archiveKeyFor([], NOW)).toThrow('An archive object needs at least one record.');
  });
});

describe('ASSENT_ARCHIVE_BUCKET', () => {
  it('is read when the archiver asks for it', () => {
    // Act & Assess
    expect(readEnv({ ASSENT_ARCHIVE_BUCKET: 'assent-archive' }, ['archiveBucket']).archiveBucket).toBe('assent-archive');
  });

  it('is missing for the archiver when not set', () => {
    // Act & Assess
    expect(() => readEnv({}, ['archiveBucket'])).toThrow('Missing environment variable(s): ASSENT_ARCHIVE_BUCKET.');
  });

  it('is not needed by the other functions', () => {
    // Prepare
    const others = { ASSENT_TABLE_NAME: 't', ASSENT_STATE_MACHINE_ARN: 's', ASSENT_MAIL_FROM: 'm', ASSENT_OPERATOR_EMAILS: 'a', ASSENT_PUBLIC_URL: 'p', ASSENT_JWT_ISSUER: 'i', ASSENT_JWT_AUDIENCE: 'au', ASSENT_JWKS_URL: 'j', ASSENT_EVENT_BUS_NAME: 'b', ASSENT_USER_POOL_ID: 'u' };

    // Act & Assess
    expect(readEnv(others).archiveBucket).toBe('');
  });
});
