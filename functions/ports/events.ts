import type { LifecycleEvent } from '#core/events';

/** Publishes lifecycle events to downstream systems (EventBridge on AWS). */
export interface EventPublisher {
  /** Publishes every event, in order; throws if any could not be published. */
  publish(events: readonly LifecycleEvent[]): Promise<void>;
}

export type { LifecycleEvent };
