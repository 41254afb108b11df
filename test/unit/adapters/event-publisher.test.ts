import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgePublisher } from '#adapters/eventbridge/publisher';
import type { LifecycleEvent } from '#core/events';
import { TransientError } from '#core/errors';

const client = new EventBridgeClient({ region: 'us-east-1' });
const eventBridge = mockClient(client);
const publisher = new EventBridgePublisher({ client, eventBusName: 'assent-events' });

const AT = '2026-11-23T10:00:00.000Z';
const created = (taskId: string): LifecycleEvent => ({
  detailType: 'task.created',
  detail: { taskId, taskType: 'sign-up', status: 'pending', at: AT, actor: { kind: 'user', id: 'anonymous' } },
});
const entryOf = (taskId: string) => ({
  EventBusName: 'assent-events',
  Source: 'assent',
  DetailType: 'task.created',
  Detail: JSON.stringify({ taskId, taskType: 'sign-up', status: 'pending', at: AT, actor: { kind: 'user', id: 'anonymous' } }),
  Time: new Date(AT),
});

beforeEach(() => eventBridge.reset());

describe('EventBridgePublisher', () => {
  it('puts each event on the bus with source assent, its detail-type, detail and time', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });

    // Act
    await publisher.publish([created('t1')]);

    // Assess
    expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input)).toStrictEqual([{ Entries: [entryOf('t1')] }]);
  });

  it('sends batches of at most 10 entries, in order', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const ids = Array.from({ length: 12 }, (_, index) => `t${index + 1}`);

    // Act
    await publisher.publish(ids.map(created));

    // Assess
    expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Entries: ids.slice(0, 10).map(entryOf) },
      { Entries: ids.slice(10).map(entryOf) },
    ]);
  });

  it('sends the failed entries once more, and only those', async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'e1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] });

    // Act
    await publisher.publish([created('t1'), created('t2')]);

    // Assess
    expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Entries: [entryOf('t1'), entryOf('t2')] },
      { Entries: [entryOf('t2')] },
    ]);
  });

  it('throws TransientError naming the entries that failed twice', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });

    // Act
    const publishing = publisher.publish([created('t1')]);

    // Assess
    await expect(publishing).rejects.toThrow(
      new TransientError('Publishing 1 event(s) to assent-events failed after a retry (task.created): ThrottlingException: slow down'),
    );
    await expect(publishing).rejects.toBeInstanceOf(TransientError);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it('publishes nothing for no events', async () => {
    // Act
    await publisher.publish([]);

    // Assess
    expect(eventBridge.commandCalls(PutEventsCommand)).toStrictEqual([]);
  });
});
