import { MeteredEvents } from '#adapters/metrics/metered-events';
import { MeteredMailer } from '#adapters/metrics/metered-mailer';
import type { LifecycleEvent } from '#ports/events';
import type { Email } from '#ports/mailer';
import { engineWithFakes, signUpToToken } from '../../support/engine-harness.ts';
import { emfOf, withoutTimestamp } from '../../support/emf.ts';
import { RecordingEvents, RecordingMailer } from '../../support/fakes.ts';

const AT = '2026-11-23T10:00:00.000Z';

const event = (detailType: LifecycleEvent['detailType'], taskType = 'sign-up', extra: Partial<LifecycleEvent['detail']> = {}): LifecycleEvent => ({
  detailType,
  detail: { taskId: 'T1', taskType, status: 'pending', at: AT, actor: { kind: 'system', id: 'system' }, ...extra },
});

/** The EMF line of a count of one in namespace Assent: dimensions `service` and then `dimensions`, in order. */
const countLine = (name: string, dimensions: Record<string, string>) => ({
  _aws: { CloudWatchMetrics: [{ Namespace: 'Assent', Dimensions: [['service', ...Object.keys(dimensions)]], Metrics: [{ Name: name, Unit: 'Count' }] }] },
  service: 'assent',
  ...dimensions,
  [name]: 1,
});

const email = (extra: Partial<Email> = {}): Email => ({ to: ['ann@example.com'], from: 'assent@example.com', subject: 'S', text: 'T', taskId: 'T1', ...extra });

describe('MeteredEvents', () => {
  it('counts created, approved, rejected, completed and failed tasks per task type, one EMF line each, and publishes every event', async () => {
    // Prepare
    const inner = new RecordingEvents();
    const events = [
      event('task.created'),
      event('task.approved', 'sign-up', { status: 'approved' }),
      event('task.rejected', 'role-grant', { status: 'rejected' }),
      event('task.completed', 'sign-up', { status: 'completed' }),
      event('action.completed', 'sign-up', { status: 'completed', action: 'new-project-with-user' }),
      event('task.failed', 'quota-change', { status: 'failed' }),
    ];

    // Act
    const emf = await emfOf((metrics) => new MeteredEvents(inner, metrics).publish(events));

    // Assess
    expect(emf.map(withoutTimestamp)).toStrictEqual([
      countLine('TasksCreated', { taskType: 'sign-up' }),
      countLine('TasksDecided', { taskType: 'sign-up', decision: 'approved' }),
      countLine('TasksDecided', { taskType: 'role-grant', decision: 'rejected' }),
      countLine('TasksCompleted', { taskType: 'sign-up' }),
      countLine('TasksFailed', { taskType: 'quota-change' }),
    ]);
    expect(inner.published).toStrictEqual(events);
  });

  it('counts nothing for a token issued, a cancel, an expiry or an action completed', async () => {
    // Prepare
    const inner = new RecordingEvents();
    const events = [event('task.token_issued'), event('task.cancelled'), event('task.expired'), event('action.completed', 'sign-up', { action: 'mark-done' })];

    // Act
    const emf = await emfOf((metrics) => new MeteredEvents(inner, metrics).publish(events));

    // Assess
    expect([emf, inner.published.length]).toStrictEqual([[], 4]);
  });

  it('counts a saved transition also when its events could not be published, and passes the error on', async () => {
    // Prepare
    const inner = new RecordingEvents();
    inner.failWith = new Error('EventBridge is down');
    let thrown: unknown;

    // Act
    const emf = await emfOf((metrics) => new MeteredEvents(inner, metrics).publish([event('task.created')]).catch((error: unknown) => (thrown = error)));

    // Assess
    expect(emf.map(withoutTimestamp)).toStrictEqual([countLine('TasksCreated', { taskType: 'sign-up' })]);
    expect(thrown).toBe(inner.failWith);
  });
});

describe('MeteredMailer', () => {
  it('counts each email sent per task type and kind, and answers the message id', async () => {
    // Prepare
    const inner = new RecordingMailer();
    let ids: string[] = [];

    // Act
    const emf = await emfOf(async (metrics) => {
      const mailer = new MeteredMailer(inner, metrics);
      ids = [await mailer.send(email({ taskType: 'sign-up', kind: 'approval' })), await mailer.send(email({ taskType: 'reset-password', kind: 'token' }))];
    });

    // Assess
    expect(emf.map(withoutTimestamp)).toStrictEqual([
      countLine('EmailsSent', { taskType: 'sign-up', emailKind: 'approval' }),
      countLine('EmailsSent', { taskType: 'reset-password', emailKind: 'token' }),
    ]);
    expect([ids, inner.sent]).toStrictEqual([['message-1', 'message-2'], [email({ taskType: 'sign-up', kind: 'approval' }), email({ taskType: 'reset-password', kind: 'token' })]]);
  });

  it('counts an email that names no task type or kind with the service dimension alone', async () => {
    // Act
    const emf = await emfOf((metrics) => new MeteredMailer(new RecordingMailer(), metrics).send(email()));

    // Assess
    expect(emf.map(withoutTimestamp)).toStrictEqual([countLine('EmailsSent', {})]);
  });

  it('does not count an email that could not be sent, and passes the error on', async () => {
    // Prepare
    const failure = new Error('SES throttled');
    const failing = { send: async (): Promise<string> => Promise.reject(failure) };
    let thrown: unknown;

    // Act
    const emf = await emfOf((metrics) => new MeteredMailer(failing, metrics).send(email({ taskType: 'sign-up', kind: 'initial' })).catch((error: unknown) => (thrown = error)));

    // Assess
    expect([emf, thrown]).toStrictEqual([[], failure]);
  });
});

describe('the metrics of a task through the engine', () => {
  it('counts a sign-up created, approved and completed once each, and every email it sent by kind', async () => {
    // Act: the sign-up as the state machine and people drive it, approved through the emailed link.
    let sent: Email[] = [];
    const emf = await emfOf(async (metrics) => {
      const { engine, mailer } = engineWithFakes({ events: new MeteredEvents(new RecordingEvents(), metrics), wrapMailer: (inner) => new MeteredMailer(inner, metrics) });
      const { id, token } = await signUpToToken({ engine, mailer });
      await engine.submitToken(token, { password: 'correct horse battery' });
      await engine.complete(id);
      sent = mailer.sent;
    });

    // Assess
    const totals: Record<string, number> = {};
    for (const line of emf) {
      const name = line._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name ?? '';
      totals[name] = (totals[name] ?? 0) + (line[name] as number);
    }
    expect(totals).toStrictEqual({ TasksCreated: 1, TasksDecided: 1, TasksCompleted: 1, EmailsSent: sent.length });
    expect(emf.map(withoutTimestamp)).toStrictEqual([
      countLine('TasksCreated', { taskType: 'sign-up' }),
      countLine('EmailsSent', { taskType: 'sign-up', emailKind: 'approval' }),
      countLine('TasksDecided', { taskType: 'sign-up', decision: 'approved' }),
      countLine('EmailsSent', { taskType: 'sign-up', emailKind: 'token' }),
      countLine('TasksCompleted', { taskType: 'sign-up' }),
      countLine('EmailsSent', { taskType: 'sign-up', emailKind: 'completed' }),
    ]);
    expect(sent.map((mail) => mail.kind)).toStrictEqual(['approval', 'token', 'completed']);
  });
});
