import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { EventPublisher, LifecycleEvent } from '#ports/events';
import { countOne, TASK_METRICS, type TaskMetricName } from './count.ts';

/** The metric a lifecycle event counts in, with the dimensions it adds to `taskType`; none for the others. */
function meterOf(event: LifecycleEvent): { name: TaskMetricName; dimensions: Record<string, string> } | undefined {
  switch (event.detailType) {
    case 'task.created':
      return { name: TASK_METRICS.created, dimensions: {} };
    case 'task.approved':
      return { name: TASK_METRICS.decided, dimensions: { decision: 'approved' } };
    case 'task.rejected':
      return { name: TASK_METRICS.decided, dimensions: { decision: 'rejected' } };
    case 'task.completed':
      return { name: TASK_METRICS.completed, dimensions: {} };
    case 'task.failed':
      return { name: TASK_METRICS.failed, dimensions: {} };
    default:
      return undefined;
  }
}

/**
 * An EventPublisher that counts the transitions its events announce (created, decided, completed,
 * failed, per task type) and then publishes them through `inner`. The committer announces each
 * transition once, after it is saved, so the counts are of saved transitions, also when `inner`
 * then fails to publish (the committer tells the operators of that).
 */
export class MeteredEvents implements EventPublisher {
  constructor(
    private readonly inner: EventPublisher,
    private readonly metrics: Metrics,
  ) {}

  async publish(events: readonly LifecycleEvent[]): Promise<void> {
    for (const event of events) {
      const meter = meterOf(event);
      if (meter) countOne(this.metrics, meter.name, { taskType: event.detail.taskType, ...meter.dimensions });
    }
    await this.inner.publish(events);
  }
}
