/**
 * A small EventBridge emulator: `PutEvents` over the real AWS JSON 1.1 protocol
 * (`X-Amz-Target: AWSEvents.PutEvents`), so the handlers use the real `@aws-sdk/client-eventbridge`.
 * Events are kept in memory and appended to a JSON Lines file, so a restart loses none; the gateway
 * lists them at `GET /local/events`. No rules, no targets: it records what was published.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded event, as `GET /local/events` lists it. */
export interface RecordedEvent {
  readonly id: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  /** The event's `Time` (ISO), or when it was received. */
  readonly time: string;
  readonly receivedAt: string;
}

export interface EventBridgeEmulatorOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** JSON Lines file the events are appended to and reloaded from. */
  readonly file: string;
}

export interface EventBridgeEmulator {
  /** Endpoint for `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
  readonly url: string;
  readonly server: Server;
  /** Every recorded event, oldest first. */
  events(): readonly RecordedEvent[];
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** PutEvents accepts 1 to 10 entries. */
const MAX_ENTRIES = 10;

interface PutEventsEntry {
  readonly Source?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly EventBusName?: unknown;
  /** Epoch seconds in the JSON protocol. */
  readonly Time?: unknown;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const answer = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': CONTENT_TYPE });
  response.end(JSON.stringify(body));
};

const fault = (response: ServerResponse, status: number, type: string, message: string) => answer(response, status, { __type: type, message });

/** The events of the file; a line that does not parse (cut short by a crash, a `kill -9`) is skipped. */
function loadEvents(file: string): RecordedEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as RecordedEvent];
      } catch {
        return [];
      }
    });
}

/** Parses `Detail`, which EventBridge requires to be a JSON object. */
function parseDetail(detail: unknown): Record<string, unknown> | undefined {
  if (typeof detail !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(detail);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startEventBridgeEmulator(options: EventBridgeEmulatorOptions): Promise<EventBridgeEmulator> {
  const recorded = loadEvents(options.file);
  // Written again without a line a crash cut short, so the next event does not land on its end.
  if (existsSync(options.file)) {
    writeFileSync(`${options.file}.tmp`, recorded.map((event) => `${JSON.stringify(event)}\n`).join(''));
    renameSync(`${options.file}.tmp`, options.file);
  }

  const record = (entry: PutEventsEntry): EntryResult => {
    if (typeof entry.Source !== 'string' || entry.Source === '' || typeof entry.DetailType !== 'string' || entry.DetailType === '') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source and DetailType are required.' };
    }
    const detail = parseDetail(entry.Detail);
    if (!detail) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed: it must be a JSON object.' };
    const receivedAt = new Date().toISOString();
    const event: RecordedEvent = {
      id: randomUUID(),
      eventBusName: typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : 'default',
      source: entry.Source,
      detailType: entry.DetailType,
      detail,
      time: typeof entry.Time === 'number' ? new Date(entry.Time * 1000).toISOString() : receivedAt,
      receivedAt,
    };
    appendFileSync(options.file, `${JSON.stringify(event)}\n`);
    recorded.push(event);
    return { EventId: event.id };
  };

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const target = request.headers['x-amz-target'];
      if (request.method !== 'POST') return fault(response, 405, 'UnknownOperationException', 'Only POST is served.');
      if (target !== 'AWSEvents.PutEvents') {
        return fault(response, 400, 'UnknownOperationException', `This emulator serves AWSEvents.PutEvents only (got ${String(target)}).`);
      }
      let input: { Entries?: unknown };
      try {
        input = JSON.parse(body || '{}') as { Entries?: unknown };
      } catch {
        return fault(response, 400, 'SerializationException', 'The request body is not JSON.');
      }
      if (!Array.isArray(input.Entries) || input.Entries.length === 0 || input.Entries.length > MAX_ENTRIES) {
        return fault(response, 400, 'ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries.`);
      }
      const results = (input.Entries as PutEventsEntry[]).map(record);
      answer(response, 200, { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results });
    })().catch((error: unknown) => fault(response, 500, 'InternalException', error instanceof Error ? error.message : String(error)));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    server,
    events: () => recorded,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
