import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startEventBridgeEmulator } from '#local/eventbridge/server';

/** The EventBridge emulator keeps its events in ASSENT_HOME; a line a kill -9 cut short is dropped at the next start, not glued to the next event. */
describe('events.jsonl after a crash', () => {
  const home = mkdtempSync(join(tmpdir(), 'assent-events-'));
  const file = join(home, 'events.jsonl');
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('starts with the whole lines, drops the cut one, and records the next event on a line of its own', async () => {
    // Prepare: one event recorded, then a line cut short.
    const first = await startEventBridgeEmulator({ host: '127.0.0.1', port: 0, file });
    const client = (url: string) => new EventBridgeClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await client(first.url).send(new PutEventsCommand({ Entries: [{ Source: 'assent', DetailType: 'one', Detail: '{}', EventBusName: 'bus' }] }));
    await first.close();
    appendFileSync(file, '{"id":"cut-sh');

    // Act
    const again = await startEventBridgeEmulator({ host: '127.0.0.1', port: 0, file });
    await client(again.url).send(new PutEventsCommand({ Entries: [{ Source: 'assent', DetailType: 'two', Detail: '{}', EventBusName: 'bus' }] }));
    await again.close();

    // Assess
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect([again.events().map((event) => event.detailType), lines.map((line) => (JSON.parse(line) as { detailType: string }).detailType)]).toStrictEqual([
      ['one', 'two'],
      ['one', 'two'],
    ]);
  });
});
