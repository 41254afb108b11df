import type { EventPublisher, LifecycleEvent } from '#ports/events';

/** Where annotations go: Powertools Tracer's `putAnnotation` (a no-op where tracing is off). */
export interface Annotator {
  putAnnotation(key: string, value: string): void;
}

/**
 * An EventPublisher that annotates the current trace segment with the task its events are about
 * (`taskId`, `taskType`) and then publishes them through `inner`: routes whose path names no task
 * (`POST /v1/tasks`, the approval and token links) get the task they changed. An invocation that
 * changes several tasks (bulk decisions) keeps the last one's: a segment holds one value per key.
 */
export class AnnotatedEvents implements EventPublisher {
  constructor(
    private readonly inner: EventPublisher,
    private readonly annotator: Annotator,
  ) {}

  async publish(events: readonly LifecycleEvent[]): Promise<void> {
    const last = events.at(-1);
    if (last) {
      this.annotator.putAnnotation('taskId', last.detail.taskId);
      this.annotator.putAnnotation('taskType', last.detail.taskType);
    }
    await this.inner.publish(events);
  }
}
