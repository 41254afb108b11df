import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { TransientError } from '#core/errors';
import type { EventPublisher, LifecycleEvent } from '#ports/events';
import { rethrowAws } from '../aws-errors.ts';

/** The `source` of every Assent event; rules match on it. */
export const EVENT_SOURCE = 'assent';
/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_BATCH = 10;

export interface EventBridgePublisherOptions {
  readonly client: EventBridgeClient;
  /** The bus (`ASSENT_EVENT_BUS_NAME`). */
  readonly eventBusName: string;
}

/**
 * Publishes lifecycle events with PutEvents, in batches of 10. Entries EventBridge reports as failed
 * (`FailedEntryCount`) are sent once more; if some still fail, a `TransientError` names them.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;

  constructor(options: EventBridgePublisherOptions) {
    this.client = options.client;
    this.eventBusName = options.eventBusName;
  }

  async publish(events: readonly LifecycleEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += PUT_EVENTS_BATCH) {
      await this.putBatch(events.slice(start, start + PUT_EVENTS_BATCH).map((event) => this.entryOf(event)));
    }
  }

  private entryOf(event: LifecycleEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.detail.at),
    };
  }

  private async putBatch(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    let errors: string[] = [];
    for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
      const output = await this.send(pending);
      if (!output.FailedEntryCount) return;
      const results = output.Entries ?? [];
      errors = results.filter((result) => result.ErrorCode).map((result) => `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`);
      // Results come in request order; an entry without an EventId did not go through.
      pending = pending.filter((_entry, index) => !results[index]?.EventId);
    }
    const types = pending.map((entry) => entry.DetailType).join(', ');
    throw new TransientError(`Publishing ${pending.length} event(s) to ${this.eventBusName} failed after a retry (${types}): ${errors.join('; ')}`);
  }

  private async send(entries: PutEventsRequestEntry[]) {
    try {
      return await this.client.send(new PutEventsCommand({ Entries: entries }));
    } catch (error) {
      rethrowAws(error, 'Publishing events');
    }
  }
}
