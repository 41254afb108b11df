import type { DynamoDBRecord } from 'aws-lambda';
import { OUTBOX_FILTER_PATTERNS } from '#functions/streams/outbox-filter';
import { outboxBatch, outboxRequestOf } from '#functions/streams/outbox';
import { METRICS_NAMESPACE, runReconcile, STRANDED_TASKS_METRIC } from '#functions/schedules/reconcile';
import { matchesFilter } from '../../local/dynamodb/filter-pattern.ts';
import { emfOf, withoutTimestamp } from '../support/emf.ts';

type ImageOf = { status: string; attempt: number; compensation?: { state: string; since: string }; waitingFor?: string };
const imageOf = (image: ImageOf) => ({
  status: { S: image.status },
  attempt: { N: String(image.attempt) },
  ...(image.compensation ? { compensation: { M: { state: { S: image.compensation.state }, since: { S: image.compensation.since } } } } : {}),
  ...(image.waitingFor ? { wait: { M: { kind: { S: 'token' }, sfnToken: { S: image.waitingFor } } } } : {}),
});
const taskRecord = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', sequence: string, images: { old?: ImageOf; new?: ImageOf }, pk = 'TASK#T1'): DynamoDBRecord => ({
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: {
    Keys: { pk: { S: pk }, sk: { S: pk.split('#')[0] ?? '' } },
    SequenceNumber: sequence,
    ...(images.new ? { NewImage: imageOf(images.new) } : {}),
    ...(images.old ? { OldImage: imageOf(images.old) } : {}),
  },
});
const PENDING = { state: 'pending', since: '2026-12-02T10:00:00.000Z' };

const delivered = (record: DynamoDBRecord) => OUTBOX_FILTER_PATTERNS.some((pattern) => matchesFilter(pattern, record));

describe('the outbox handler', () => {
  it('asks for the first execution of a new task and for attempt n + 1 of a retried one', () => {
    // Act
    const requests = [
      outboxRequestOf(taskRecord('INSERT', '1', { new: { status: 'pending', attempt: 1 } })),
      outboxRequestOf(taskRecord('MODIFY', '2', { old: { status: 'failed', attempt: 1 }, new: { status: 'approved', attempt: 2 } })),
    ];

    // Assess
    expect(requests).toStrictEqual([
      { kind: 'start', taskId: 'T1', attempt: 1 },
      { kind: 'start', taskId: 'T1', attempt: 2 },
    ]);
  });

  it('asks for the undo of a write that made a compensation pending (a cancel after approval), not for a failed attempt\'s write', () => {
    // Act
    const requests = [
      outboxRequestOf(taskRecord('MODIFY', '1', { old: { status: 'awaiting_token', attempt: 1 }, new: { status: 'cancelled', attempt: 1, compensation: PENDING } })),
      outboxRequestOf(taskRecord('MODIFY', '2', { old: { status: 'cancelled', attempt: 1, compensation: PENDING }, new: { status: 'cancelled', attempt: 1, compensation: PENDING } })),
      outboxRequestOf(
        taskRecord('MODIFY', '3', { old: { status: 'cancelled', attempt: 1, compensation: { state: 'done', since: PENDING.since } }, new: { status: 'cancelled', attempt: 1, compensation: { state: 'pending', since: 'later' } } }),
      ),
    ];

    // Assess
    expect(requests).toStrictEqual([{ kind: 'undo', taskId: 'T1' }, undefined, { kind: 'undo', taskId: 'T1' }]);
  });

  it.each([
    ['a write that leaves the attempt', taskRecord('MODIFY', '3', { old: { status: 'pending', attempt: 1 }, new: { status: 'approved', attempt: 1 } })],
    ['a removal', taskRecord('REMOVE', '4', { old: { status: 'completed', attempt: 1 } })],
    ['another kind of item', taskRecord('INSERT', '5', { new: { status: 'pending', attempt: 1 } }, 'SECRET#abc')],
  ])('asks for nothing on %s', (_why, record) => {
    // Act
    const request = outboxRequestOf(record);

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
      taskRecord('MODIFY', '7', { old: { status: 'approved', attempt: 1 }, new: { status: 'cancelled', attempt: 1, compensation: PENDING } }),
      taskRecord('MODIFY', '8', { old: { status: 'cancelled', attempt: 1, compensation: PENDING }, new: { status: 'cancelled', attempt: 1, compensation: { state: 'done', since: PENDING.since } } }),
      taskRecord('MODIFY', '9', { old: { status: 'awaiting_token', attempt: 1, waitingFor: 'sfn-token-1' }, new: { status: 'completed', attempt: 1 } }),
      taskRecord('MODIFY', '10', { old: { status: 'approved', attempt: 1 }, new: { status: 'completed', attempt: 1 } }),
    ];

    // Act
    const passed = records.filter(delivered).map((record) => record.dynamodb?.SequenceNumber);

    // Assess
    expect(passed).toStrictEqual(['1', '2', '7', '9']);
    expect(records.filter((record) => outboxRequestOf(record) !== undefined).map((record) => record.dynamodb?.SequenceNumber)).toStrictEqual(['1', '2', '7', '9']);
  });

  it('starts each execution, runs each undo and resumes each completed one in stream order, and reports the first that fails so Lambda retries from it', async () => {
    // Prepare
    const calls: string[] = [];
    const core = {
      streams: {
        startExecution: async (taskId: string, attempt: number) => {
          calls.push(`${taskId}/${attempt}`);
          if (taskId === 'T3') throw new Error('Step Functions is unreachable');
          return 'started' as const;
        },
        compensate: async (taskId: string) => (calls.push(`undo ${taskId}`), 'undone' as const),
        resumeCompleted: async (taskId: string, sfnToken: string) => (calls.push(`resume ${taskId} ${sfnToken}`), 'resumed' as const),
      },
    };
    const event = {
      Records: [
        taskRecord('INSERT', '1', { new: { status: 'pending', attempt: 1 } }, 'TASK#T1'),
        taskRecord('MODIFY', '2', { old: { status: 'approved', attempt: 1 }, new: { status: 'cancelled', attempt: 1, compensation: PENDING } }, 'TASK#T2'),
        taskRecord('MODIFY', '2b', { old: { status: 'awaiting_token', attempt: 1, waitingFor: 'sfn-token-5' }, new: { status: 'completed', attempt: 1 } }, 'TASK#T5'),
        taskRecord('INSERT', '3', { new: { status: 'pending', attempt: 1 } }, 'TASK#T3'),
        taskRecord('INSERT', '4', { new: { status: 'pending', attempt: 1 } }, 'TASK#T4'),
      ],
    };

    // Act
    const response = await outboxBatch(event, core);

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: '3' }] });
    expect(calls).toStrictEqual(['T1/1', 'undo T2', 'resume T5 sfn-token-5', 'T3/1']);
  });

  it('answers no failures when every start succeeded or there was nothing to start', async () => {
    // Prepare
    const core = { streams: { startExecution: async () => 'skipped' as const, compensate: async () => 'nothing-pending' as const, resumeCompleted: async () => 'skipped' as const } };

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
    const core = { schedules: { reconcile: async (options?: unknown) => (seen.push(options), { checked: 3, started: 1, resumed: 0, failed: 1, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 }) } };

    // Act
    const counts = await runReconcile({ graceSeconds: 60 }, core);
    await runReconcile({ version: '0', 'detail-type': 'Scheduled Event' }, core);

    // Assess
    expect(counts).toStrictEqual({ checked: 3, started: 1, resumed: 0, failed: 1, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 });
    expect(seen).toStrictEqual([{ graceSeconds: 60 }, {}]);
  });

  it('publishes the stranded tasks (started + resumed + failed) as one metric per run, 0 included', async () => {
    // Prepare
    const published: unknown[] = [];
    const sink = { addMetric: (...metric: unknown[]) => published.push(metric), publishStoredMetrics: () => published.push('published') };
    const core = (started: number, resumed: number, failed: number) => ({ schedules: { reconcile: async () => ({ checked: 9, started, resumed, failed, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 }) } });

    // Act
    await runReconcile({}, core(1, 4, 2), sink);
    await runReconcile({}, core(0, 0, 0), sink);

    // Assess
    expect(published).toStrictEqual([['StrandedTasks', 'Count', 7], 'published', ['StrandedTasks', 'Count', 0], 'published']);
  });

  it('writes the metric as an EMF line in namespace Assent with the service dimension, which the alarm watches', async () => {
    // Prepare
    const core = { schedules: { reconcile: async () => ({ checked: 2, started: 1, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 }) } };

    // Act
    const emf = await emfOf((metrics) => runReconcile({}, core, metrics));

    // Assess
    expect(emf.map(withoutTimestamp)).toStrictEqual([
      { _aws: { CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['service']], Metrics: [{ Name: STRANDED_TASKS_METRIC, Unit: 'Count' }] }] }, service: 'assent', StrandedTasks: 1 },
    ]);
  });

  it('refuses a grace period that is not a whole number of seconds', async () => {
    // Prepare
    const core = { schedules: { reconcile: async () => ({ checked: 0, started: 0, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 }) } };

    // Act
    const run = runReconcile({ graceSeconds: -1 }, core);

    // Assess
    await expect(run).rejects.toThrow(/graceSeconds/);
  });
});
