/**
 * A request-counting proxy in front of DynamoDB Local (plain node:http). The local stack's handlers
 * reach DynamoDB through it (ASSENT_HANDLER_DYNAMODB_ENDPOINT), so every request a handler makes is
 * counted by operation (`X-Amz-Target`), with items of batches and transactions counted one by one.
 *
 * It also adds `ReturnConsumedCapacity: "TOTAL"` to every data-plane request that lacks it and sums
 * the `ConsumedCapacity` DynamoDB Local answers, giving read and write request units for pricing.
 * DynamoDB Local does not check SigV4 signatures, so rewriting the body is harmless; responses are
 * passed through byte for byte (the SDK ignores a `ConsumedCapacity` it did not ask for).
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy saw between two `reset()` calls (or since it started). */
export interface DynamoDbCounts {
  /** Requests by operation (`PutItem`, `TransactWriteItems`, ...). */
  readonly requests: Record<string, number>;
  /** Items read: GetItem 1, Query/Scan 1 per request (a page), BatchGetItem and TransactGetItems per key. */
  readonly reads: number;
  /** Items written: PutItem/UpdateItem/DeleteItem 1, BatchWriteItem and TransactWriteItems per item. */
  readonly writes: number;
  /** Of `writes`, those in PutItem or UpdateItem requests (the raw-write floor's operations). */
  readonly putOrUpdate: number;
  /** Of `writes`, those inside TransactWriteItems. */
  readonly transactItems: number;
  /** Condition checks inside TransactWriteItems (billed as writes on AWS, counted apart here). */
  readonly conditionChecks: number;
  /** Read request units DynamoDB Local reported (`ConsumedCapacity.ReadCapacityUnits`, else `CapacityUnits` of reads). */
  readonly readUnits: number;
  /** Write request units DynamoDB Local reported. */
  readonly writeUnits: number;
  /** Requests DynamoDB answered with an error (e.g. ConditionalCheckFailedException), by `__type`. */
  readonly errors: Record<string, number>;
  /** Write requests that failed: no capacity is reported for them; AWS bills at least 1 WRU each. */
  readonly failedWrites: number;
  /**
   * By kind of item (the partition key's prefix: TASK, SECRET, USER...; a Query by its index):
   * items written and read, and the units reported for them (a transaction's units shared evenly).
   */
  readonly byKind: Record<string, KindCounts>;
  /**
   * Query and Scan requests with `Select: COUNT`, by index (`table` for the table itself) and the
   * kind of partition they count (the prefix of the first key value: `byStatus STATUS`).
   */
  readonly countQueries: Record<string, number>;
}

export interface KindCounts {
  writes: number;
  writeUnits: number;
  reads: number;
  readUnits: number;
}

export interface DynamoDbCounter {
  /** The proxy's endpoint, for ASSENT_HANDLER_DYNAMODB_ENDPOINT. */
  readonly endpoint: string;
  /** The counts so far. */
  counts(): DynamoDbCounts;
  /** Starts counting from zero; answers the counts up to now. */
  reset(): DynamoDbCounts;
  close(): Promise<void>;
}

const READ_OPS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

interface Mutable {
  requests: Record<string, number>;
  reads: number;
  writes: number;
  putOrUpdate: number;
  transactItems: number;
  conditionChecks: number;
  readUnits: number;
  writeUnits: number;
  errors: Record<string, number>;
  failedWrites: number;
  byKind: Record<string, KindCounts>;
  countQueries: Record<string, number>;
}

const empty = (): Mutable => ({
  requests: {},
  reads: 0,
  writes: 0,
  putOrUpdate: 0,
  transactItems: 0,
  conditionChecks: 0,
  readUnits: 0,
  writeUnits: 0,
  errors: {},
  failedWrites: 0,
  byKind: {},
  countQueries: {},
});

const increment = (record: Record<string, number>, key: string, by = 1) => {
  record[key] = (record[key] ?? 0) + by;
};

type Json = Record<string, unknown>;

/** `<index> <partition prefix>` of a COUNT query: the prefix of its first string value that looks like a key (`STATUS#pending` → `STATUS`). */
function countKindOf(body: Json): string {
  const values = Object.values((body.ExpressionAttributeValues ?? {}) as Record<string, { S?: unknown }>);
  const key = values.map((value) => value?.S).find((value): value is string => typeof value === 'string' && /^[A-Z_]+#/.test(value));
  return `${String(body.IndexName ?? 'table')} ${key?.split('#')[0] ?? '?'}`;
}

/** Items a request reads or writes, counted as the issue asks (per item for batches and transactions). */
function countItems(operation: string, body: Json, counts: Mutable): void {
  switch (operation) {
    case 'GetItem':
    case 'Query':
    case 'Scan':
      counts.reads += 1;
      return;
    case 'BatchGetItem':
      counts.reads += Object.values((body.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).reduce((sum, table) => sum + (table.Keys?.length ?? 0), 0);
      return;
    case 'TransactGetItems':
      counts.reads += ((body.TransactItems ?? []) as unknown[]).length;
      return;
    case 'PutItem':
    case 'UpdateItem':
      counts.writes += 1;
      counts.putOrUpdate += 1;
      return;
    case 'DeleteItem':
      counts.writes += 1;
      return;
    case 'BatchWriteItem':
      counts.writes += Object.values((body.RequestItems ?? {}) as Record<string, unknown[]>).reduce((sum, table) => sum + table.length, 0);
      return;
    case 'TransactWriteItems': {
      const items = (body.TransactItems ?? []) as Json[];
      const checks = items.filter((item) => 'ConditionCheck' in item).length;
      counts.writes += items.length - checks;
      counts.transactItems += items.length - checks;
      counts.conditionChecks += checks;
      return;
    }
  }
}

/** The kind of the item a key or an item names: its partition key's prefix (`TASK#01…` → TASK). */
function kindOf(keyOrItem: unknown): string {
  const pk = (keyOrItem as { pk?: { S?: string } } | undefined)?.pk?.S ?? '';
  return pk.split('#')[0] || 'other';
}

/** The item kinds a request touches, one entry per item, and whether they are writes. */
function kindsOf(operation: string, body: Json): { kinds: string[]; write: boolean } {
  switch (operation) {
    case 'GetItem':
      return { kinds: [kindOf(body.Key)], write: false };
    case 'Query':
    case 'Scan':
      return { kinds: [`${operation} ${String(body.IndexName ?? 'table')}`], write: false };
    case 'BatchGetItem':
      return { kinds: Object.values((body.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).flatMap((table) => (table.Keys ?? []).map(kindOf)), write: false };
    case 'TransactGetItems':
      return { kinds: ((body.TransactItems ?? []) as { Get?: { Key?: unknown } }[]).map((item) => kindOf(item.Get?.Key)), write: false };
    case 'PutItem':
      return { kinds: [kindOf(body.Item)], write: true };
    case 'UpdateItem':
    case 'DeleteItem':
      return { kinds: [kindOf(body.Key)], write: true };
    case 'BatchWriteItem':
      return {
        kinds: Object.values((body.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[]>).flatMap((table) =>
          table.map((request) => kindOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key)),
        ),
        write: true,
      };
    case 'TransactWriteItems':
      return {
        kinds: ((body.TransactItems ?? []) as Record<string, { Item?: unknown; Key?: unknown }>[])
          .filter((item) => !('ConditionCheck' in item))
          .map((item) => {
            const action = item.Put ?? item.Update ?? item.Delete;
            return kindOf(action?.Item ?? action?.Key);
          }),
        write: true,
      };
    default:
      return { kinds: [], write: false };
  }
}

function countKinds(kinds: { kinds: string[]; write: boolean }, units: number, counts: Mutable): void {
  for (const kind of kinds.kinds) {
    const entry = (counts.byKind[kind] ??= { writes: 0, writeUnits: 0, reads: 0, readUnits: 0 });
    const share = units / kinds.kinds.length;
    if (kinds.write) {
      entry.writes += 1;
      entry.writeUnits += share;
    } else {
      entry.reads += 1;
      entry.readUnits += share;
    }
  }
}

/** The units a response reports, whatever their shape. */
function unitsIn(response: Json): number {
  const consumed = response.ConsumedCapacity;
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Json[];
  return list.reduce((sum, entry) => sum + Number(entry.CapacityUnits ?? 0), 0);
}

/** Sums `ConsumedCapacity` (one object, or a list per table) into read or write units. */
function countCapacity(operation: string, response: Json, counts: Mutable): void {
  const consumed = response.ConsumedCapacity;
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Json[];
  for (const entry of list) {
    const read = Number(entry.ReadCapacityUnits ?? 0);
    const write = Number(entry.WriteCapacityUnits ?? 0);
    if (read || write) {
      counts.readUnits += read;
      counts.writeUnits += write;
    } else if (WRITE_OPS.has(operation)) {
      counts.writeUnits += Number(entry.CapacityUnits ?? 0);
    } else {
      counts.readUnits += Number(entry.CapacityUnits ?? 0);
    }
  }
}

const readBody = (message: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.once('end', () => resolve(Buffer.concat(chunks)));
    message.once('error', reject);
  });

const parse = (buffer: Buffer): Json | undefined => {
  try {
    const value: unknown = JSON.parse(buffer.toString('utf8'));
    return value && typeof value === 'object' ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
};

/** Starts the proxy on 127.0.0.1 (a free port unless `port` is given), forwarding to `target`. */
export async function startDynamoDbCounter(target: string, port = 0): Promise<DynamoDbCounter> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let counts = empty();

  const forward = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const operation = String(incoming.headers['x-amz-target'] ?? '').split('.').at(-1) ?? '';
    const dataPlane = READ_OPS.has(operation) || WRITE_OPS.has(operation);
    let body = await readBody(incoming);
    const json = dataPlane ? parse(body) : undefined;
    if (operation) increment(counts.requests, operation);
    const kinds = json ? kindsOf(operation, json) : undefined;
    if (json) {
      countItems(operation, json, counts);
      if ((operation === 'Query' || operation === 'Scan') && json.Select === 'COUNT') increment(counts.countQueries, countKindOf(json));
      if (json.ReturnConsumedCapacity === undefined || json.ReturnConsumedCapacity === 'NONE') {
        body = Buffer.from(JSON.stringify({ ...json, ReturnConsumedCapacity: 'TOTAL' }));
      }
    }
    const headers = { ...incoming.headers, host: upstream.host, 'content-length': String(body.length) };
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers, agent },
      (answer) => {
        void readBody(answer).then((responseBody) => {
          const status = answer.statusCode ?? 502;
          if (dataPlane) {
            const parsed = parse(responseBody);
            if (status >= 400) {
              increment(counts.errors, String(parsed?.__type ?? status).split('#').at(-1) ?? String(status));
              if (WRITE_OPS.has(operation)) counts.failedWrites += 1;
              if (kinds) countKinds(kinds, 0, counts);
            } else if (parsed) {
              countCapacity(operation, parsed, counts);
              if (kinds) countKinds(kinds, unitsIn(parsed), counts);
            }
          }
          outgoing.writeHead(status, answer.headers);
          outgoing.end(responseBody);
        });
      },
    );
    forwarded.once('error', (error) => {
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`dynamodb-counter: ${error.message}`);
    });
    forwarded.end(body);
  };

  const server: Server = createServer((incoming, outgoing) => {
    forward(incoming, outgoing).catch((error: unknown) => {
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`dynamodb-counter: ${String(error)}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: listening } = server.address() as AddressInfo;

  const snapshot = (): DynamoDbCounts => structuredClone(counts);
  return {
    endpoint: `http://127.0.0.1:${listening}`,
    counts: snapshot,
    reset: () => {
      const before = snapshot();
      counts = empty();
      return before;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
