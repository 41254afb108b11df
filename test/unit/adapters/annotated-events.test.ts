import { AnnotatedEvents } from '#adapters/tracing/annotated-events';
import type { LifecycleEvent } from '#ports/events';
import { RecordingEvents } from '../../support/fakes.ts';

const event = (taskId: string, taskType: string, detailType: LifecycleEvent['detailType'] = 'task.created'): LifecycleEvent => ({
  detailType,
  detail: { taskId, taskType, status: 'pending', at: '2026-11-23T10:00:00.000Z' },
});

describe('AnnotatedEvents', () => {
  it('annotates the trace with the task of the last event, then publishes every event', async () => {
    // Prepare
    const inner = new RecordingEvents();
    const annotations: [string, string][] = [];
    const events = [event('T1', 'sign-up'), event('T2', 'role-grant', 'task.approved')];

    // Act
    await new AnnotatedEvents(inner, { putAnnotation: (key, value) => annotations.push([key, value]) }).publish(events);

    // Assess
    expect(annotations).toStrictEqual([
      ['taskId', 'T2'],
      ['taskType', 'role-grant'],
    ]);
    expect(inner.published).toStrictEqual(events);
  });

  it('annotates nothing when there is nothing to publish', async () => {
    // Prepare
    const annotations: [string, string][] = [];

    // Act
    await new AnnotatedEvents(new RecordingEvents(), { putAnnotation: (key, value) => annotations.push([key, value]) }).publish([]);

    // Assess
    expect(annotations).toStrictEqual([]);
  });
});
