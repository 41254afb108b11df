import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { toLambdaRecord } from '#local/dynamodb/stream-consumer';
import { isTtlRemoval } from '#functions/streams/archive';

const STREAM = 'arn:aws:dynamodb:ddblocal:000000000000:table/assent-local/stream/2026-11-23T10:00:00.000';
/** DynamoDB Local rounds ApproximateCreationDateTime down to the minute: 10:00:00 for a removal in 10:00:xx. */
const MINUTE = new Date('2026-11-23T10:00:00.000Z');
const MINUTE_SECONDS = MINUTE.getTime() / 1000;

const removal = (expiresAt: number | undefined, eventName: 'REMOVE' | 'MODIFY' = 'REMOVE'): StreamRecord => ({
  eventID: 'e1',
  eventName,
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'ddblocal',
  dynamodb: {
    ApproximateCreationDateTime: MINUTE,
    Keys: { pk: { S: 'TASK#t1' }, sk: { S: 'TASK' } },
    OldImage: { pk: { S: 'TASK#t1' }, sk: { S: 'TASK' }, ...(expiresAt === undefined ? {} : { expiresAt: { N: String(expiresAt) } }) },
    SequenceNumber: '000000000000000000003',
    SizeBytes: 40,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

describe('toLambdaRecord (local stream consumer)', () => {
  it('shapes a record as Lambda delivers it and marks the sweeper\'s delete of an expired item as a TTL removal', () => {
    // Act
    const record = toLambdaRecord(removal(MINUTE_SECONDS + 30), STREAM, 'us-east-1');

    // Assess
    expect(record).toStrictEqual({
      eventID: 'e1',
      eventName: 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: STREAM,
      dynamodb: {
        ApproximateCreationDateTime: MINUTE_SECONDS,
        Keys: { pk: { S: 'TASK#t1' }, sk: { S: 'TASK' } },
        OldImage: { pk: { S: 'TASK#t1' }, sk: { S: 'TASK' }, expiresAt: { N: String(MINUTE_SECONDS + 30) } },
        SequenceNumber: '000000000000000000003',
        SizeBytes: 40,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    });
    expect(isTtlRemoval(record)).toBe(true);
  });

  it('does not mark the delete of an item that had not expired yet (an application delete)', () => {
    // Act
    const record = toLambdaRecord(removal(MINUTE_SECONDS + 3600), STREAM, 'us-east-1');

    // Assess
    expect(record.userIdentity).toBeUndefined();
    expect(isTtlRemoval(record)).toBe(false);
  });

  it('does not mark the delete of an item without expiresAt', () => {
    // Act & Assess
    expect(toLambdaRecord(removal(undefined), STREAM, 'us-east-1').userIdentity).toBeUndefined();
  });

  it('does not mark an update', () => {
    // Act & Assess
    expect(toLambdaRecord(removal(MINUTE_SECONDS - 60, 'MODIFY'), STREAM, 'us-east-1').userIdentity).toBeUndefined();
  });
});
