import type { DynamoDBRecord } from 'aws-lambda';
import { OUTBOX_FILTER_PATTERNS } from '#functions/streams/outbox-filter';
import { outboxBatch, startRequestOf } from '#functions/streams/outbox';
import { runReconcile } from '#functions/schedules/reconcile';
import { matchesFilter } from '../../local/dynamodb/filter-pattern.ts';

const taskRecord = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', sequence: string, images: { old?: { status: string; attempt: number }; new?: { status: string; attempt: number } }, pk = 'TASK#T1'): DynamoDBRecord => ({
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: {
    Keys: { pk: { S: pk }, sk: { S: pk.split('#')[0] ?? '' } },
    SequenceNumber: sequence,
    ...(images.new ? { NewImage: { status: { S: images.new.status }, attempt: { N: String(images.new.attempt) } } } : {}),
    ...(images.old ? { OldImage: { status: { S: images.old.status }, attempt: { N: String(images.old.attempt) } } } : {}),
  },
});

const delivered = (record: DynamoDBRecord) => OUTBOX_FILTER_PATTERNS.some((pattern) => matchesFilter(pattern, record));

describe('the outbox handler', () => {
  it('asks for the first execution of a new task and for attempt n + 1 of a retried one', () => {
    // Act
    const requests = [
      startRequestOf(taskRecord('INSERT', '1', { new: { status: 'pending', attempt: 1 } })),
      startRequestOf(taskRecord('MODIFY', '2', { old: { status: 'failed', attempt: 1 }, new: { status: 'approved', attempt: 2 } })),
    ];

    // Assess
    expect(requests).toStrictEqual([
      { taskId: 'T1', attempt: 1 },
      { taskId: 'T1', attempt: 2 },
    ]);
  });

  it.each([
    ['a write that leaves the attempt', taskRecord('MODIFY', '3', { old: { status: 'pending', attempt: 1 }, new: { status: 'approved', attempt: 1 } })],
    ['a removal', taskRecord('REMOVE', '4', { old: { status: 'completed', attempt: 1 } })],
    ['another kind of item', taskRecord('INSERT', '5', { new: { status: 'pending', attempt: 1 } }, 'SECRET#abc')],
  ])('asks for nothing on %s', (_why, record) => {
    // Act
    const request = startRequestOf(record);

    // Assess
    expect(request).toBeUndefined();
  });

  it('gets, through the filter patterns, exactly the records it acts on (the patterns Lambda and local mode apply)', () => {
    // Prepare
    const records = [
      taskRecord('INSERT', '1', { new: { status: 'pending', attempt: 1 } }),
      taskRecord('MODIFY', '2', { old: { status: 'failed', attempt: 1 }, new: { status: 'pending', attempt: 2 } }),
      taskRecord('MODIFY', '3', { old: { status: 'pending', attempt: 1 }, new: { status: 'approved', attempt: 1 } }),
      taskRecord('MODIFY', '4', { old: { status: 'failed', attempt: 1 }, new: { status: 'cancelled', attempt: 1 } }),
      taskRecord('REMOVE', '5', { old: { status: 'completed', attempt: 1 } }),
      taskRecord('INSERT', '6', { new: { status: 'pending', attempt: 1 } }, 'NOTIFICATION#n1'),
    ];

    // Act
    const passed = records.filter(delivered).map((record) => record.dynamodb?.SequenceNumber);

    // Assess
    expect(passed).toStrictEqual(['1', '2']);
    expect(records.filter((record) => startRequestOf(record) !== undefined).map((record) => record.dynamodb?.SequenceNumber)).toStrictEqual(['1', '2']);
  });

  it('starts each execution in stream order, and reports the first that fails so Lambda retries from it', async () => {
    // Prepare
    const calls: string[] = [];
    const core = {
      streams: {
        startExecution: async (taskId: string, attempt: number) => {
          calls.push(`${taskId}/${attempt}`);
          if (taskId === 'T2') throw new Error('Step Functions is unreachable');
          return 'started' as const;
        },
      },
    };
    const event = {
      Records: [
        taskRecord('INSERT', '1', { new: { status: 'pending', attempt: 1 } }, 'TASK#T1'),
        taskRecord('INSERT', '2', { new: { status: 'pending', attempt: 1 } }, 'TASK#T2'),
        taskRecord('INSERT', '3', { new: { status: 'pending', attempt: 1 } }, 'TASK#T3'),
      ],
    };

    // Act
    const response = await outboxBatch(event, core);

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(calls).toStrictEqual(['T1/1', 'T2/1']);
  });

  it('answers no failures when every start succeeded or there was nothing to start', async () => {
    // Prepare
    const core = { streams: { startExecution: async () => 'skipped' as const } };

    // Act
    const response = await outboxBatch({ Records: [taskRecord('INSERT', '1', { new: { status: 'pending', attempt: 1 } })] }, core);

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [] });
  });
});

describe('the reconcile handler', () => {
  it('passes the schedule\'s grace period to the core and answers the counts', async () => {
    // Prepare
    const seen: unknown[] = [];
    const core = { schedules: { reconcile: async (options?: unknown) => (seen.push(options), { checked: 3, started: 1, failed: 1 }) } };

    // Act
    const counts = await runReconcile({ graceSeconds: 60 }, core);
    await runReconcile({ version: '0', 'detail-type': 'Scheduled Event' }, core);

    // Assess
    expect(counts).toStrictEqual({ checked: 3, started: 1, failed: 1 });
    expect(seen).toStrictEqual([{ graceSeconds: 60 }, {}]);
  });

  it('refuses a grace period that is not a whole number of seconds', async () => {
    // Prepare
    const core = { schedules: { reconcile: async () => ({ checked: 0, started: 0, failed: 0 }) } };

    // Act
    const run = runReconcile({ graceSeconds: -1 }, core);

    // Assess
    await expect(run).rejects.toThrow(/graceSeconds/);
  });
});
