/**
 * Benchmark 4, API latency under load: an open-loop load at a fixed request rate (bench's own, fetch) against
 * `GET /v1/tasks/{id}` (admin JWT, an existing task) and `POST /v1/tasks` (a new sign-up each time,
 * which also starts its workflow: AwaitApproval, its preApprove and approval email, runs in the background);
 * and, first, the floor of a read: `GET /v1/tasks/{id}` one request at a time beside the raw
 * `GetItem` it makes, sent the same way (one at a time, an SDK client through the same counting proxy).
 */
import type { EventEmitter } from 'node:events';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import autocannon from 'autocannon';
import { handlerReads } from './handler-read.ts';
import type { BenchStack } from './stack.ts';
import { fmt, type Table } from './table.ts';

export interface LatencyOptions {
  /** Requests of each kind in the sequential comparison (GET /v1/tasks/{id} and its raw GetItem). */
  readonly sequential: number;
  readonly getRates: readonly number[];
  readonly postRates: readonly number[];
  readonly seconds: number;
  readonly log: (line: string) => void;
}

export interface LatencyRow {
  readonly route: string;
  readonly rate: number;
  readonly result: RunCounts;
  /** Client-side times of the 2xx answers, in ms. */
  readonly latenciesMs: readonly number[];
}

/** `GET /v1/tasks/{id}` one request at a time, beside the raw GetItem of the same item, interleaved in rounds. */
export interface SequentialRead {
  readonly requests: number;
  readonly getMs: readonly number[];
  /** GetItem (ConsistentRead, as the handler reads) through the counting proxy, as the handlers' requests go. */
  readonly rawViaProxyMs: readonly number[];
  /** The same GetItem straight to DynamoDB Local. */
  readonly rawDirectMs: readonly number[];
  /** The stack's HTTP handler called in the benchmark's process with the route's event: the read without the local gateway (bench/handler-read.ts). */
  readonly handlerMs: readonly number[];
}

/** The DynamoDB requests of `GET /v1/status` calls made back to back (admin JWT). */
export interface StatusRead {
  readonly status: number;
  readonly requests: number;
  /** Query requests with `Select: COUNT` on the byStatus index's `STATUS#…` partitions (the counts per status). */
  readonly byStatusCounts: number;
}

export interface LatencyResult {
  readonly statusReads: readonly StatusRead[];
  readonly sequential: SequentialRead;
  readonly rows: readonly LatencyRow[];
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** What a paced run sent and got back. */
export interface RunCounts {
  readonly '2xx': number;
  readonly non2xx: number;
  readonly errors: number;
  /** Seconds from the first request sent to the last answer. */
  readonly duration: number;
  /** How late the sender was, at worst, against its schedule (ms): large values mean the client, not the server, set the pace. */
  readonly maxLateMs: number;
}

interface Measured {
  readonly result: RunCounts;
  readonly latenciesMs: number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An open-loop load at a constant rate: request i is sent at start + i / rate whatever is still
 * waiting for an answer (fetch keeps a pool of connections and opens more when all are busy), and
 * timed from its send to the end of its body. autocannon's `overallRate` spread over connections
 * fired them together (10 connections at 20 req/s: a burst of 10 every half second), so its figures
 * measured the bursts' queueing, not the rate.
 */
async function paced(rate: number, seconds: number, send: (index: number) => Promise<Response>): Promise<Measured> {
  const latenciesMs: number[] = [];
  const counts = { ok: 0, non2xx: 0, errors: 0 };
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let maxLateMs = 0;
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    maxLateMs = Math.max(maxLateMs, performance.now() - due);
    const sent = performance.now();
    inFlight.push(
      send(index)
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.status >= 200 && response.status < 300) {
            counts.ok += 1;
            latenciesMs.push(performance.now() - sent);
          } else counts.non2xx += 1;
        })
        .catch(() => {
          counts.errors += 1;
        }),
    );
  }
  await Promise.all(inFlight);
  return { result: { '2xx': counts.ok, non2xx: counts.non2xx, errors: counts.errors, duration: (performance.now() - started) / 1000, maxLateMs }, latenciesMs };
}

function cannon(stack: BenchStack, route: 'GET' | 'POST', rate: number, seconds: number, taskId: string, prefix: string): Promise<Measured> {
  if (route === 'GET') {
    const url = `${stack.endpoints.api}/v1/tasks/${taskId}`;
    const headers = { authorization: `Bearer ${stack.endpoints.adminToken}` };
    return paced(rate, seconds, () => fetch(url, { headers }));
  }
  return paced(rate, seconds, (index) => {
    const name = `${prefix}-${index + 1}`;
    return fetch(`${stack.endpoints.api}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'sign-up', data: { email: `${name}@example.com`, projectName: name } }),
    });
  });
}

/** Waits until every accepted sign-up has had its approval email (its workflow is waiting for a human). */
async function waitForApprovalEmails(stack: BenchStack, expected: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (stack.mailbox.received < expected) {
    if (Date.now() > deadline) {
      log(`  (gave up waiting: ${stack.mailbox.received}/${expected} approval emails)`);
      return;
    }
    await sleep(200);
  }
}

/** One GET at a time over one kept-alive connection (autocannon, 1 connection, no rate). */
async function sequentialGets(stack: BenchStack, taskId: string, amount: number): Promise<number[]> {
  const latenciesMs: number[] = [];
  const instance = autocannon({
    url: `${stack.endpoints.api}/v1/tasks/${taskId}`,
    connections: 1,
    amount,
    method: 'GET',
    headers: { authorization: `Bearer ${stack.endpoints.adminToken}` },
  }) as unknown as EventEmitter & Promise<autocannon.Result>;
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latenciesMs.push(ms);
  });
  await instance;
  return latenciesMs;
}

async function sequentialGetItems(client: BenchStack['dynamodb'], tableName: string, taskId: string, amount: number): Promise<number[]> {
  const latenciesMs: number[] = [];
  const command = new GetItemCommand({ TableName: tableName, Key: { pk: { S: `TASK#${taskId}` }, sk: { S: 'TASK' } }, ConsistentRead: true });
  for (let index = 0; index < amount; index += 1) {
    const started = performance.now();
    await client.send(command);
    latenciesMs.push(performance.now() - started);
  }
  return latenciesMs;
}

/** The read's floor: rounds of 50 GETs, 50 handler calls in this process, 50 GetItems through the proxy and 50 direct, so drift hits all four alike. */
export async function runSequentialRead(stack: BenchStack, taskId: string, requests: number, log: (line: string) => void): Promise<SequentialRead> {
  const tableName = stack.endpoints.services.tableName;
  const round = 50;
  const getMs: number[] = [];
  const rawViaProxyMs: number[] = [];
  const rawDirectMs: number[] = [];
  const handlerMs: number[] = [];
  log(`GET /v1/tasks/{id}, its handler in this process and its GetItem, one at a time: ${requests} of each, in rounds of ${round} (after ${round} unmeasured)`);
  await sequentialGets(stack, taskId, round);
  await handlerReads(stack, taskId, round);
  await sequentialGetItems(stack.dynamodbViaProxy, tableName, taskId, round);
  await sequentialGetItems(stack.dynamodb, tableName, taskId, round);
  for (let done = 0; done < requests; done += round) {
    const amount = Math.min(round, requests - done);
    getMs.push(...(await sequentialGets(stack, taskId, amount)));
    handlerMs.push(...(await handlerReads(stack, taskId, amount)));
    rawViaProxyMs.push(...(await sequentialGetItems(stack.dynamodbViaProxy, tableName, taskId, amount)));
    rawDirectMs.push(...(await sequentialGetItems(stack.dynamodb, tableName, taskId, amount)));
  }
  log(`  p50 GET ${percentile(getMs, 50).toFixed(2)} ms, the handler alone ${percentile(handlerMs, 50).toFixed(2)} ms, GetItem via proxy ${percentile(rawViaProxyMs, 50).toFixed(2)} ms, direct ${percentile(rawDirectMs, 50).toFixed(2)} ms`);
  return { requests, getMs, rawViaProxyMs, rawDirectMs, handlerMs };
}

/** Three `GET /v1/status` calls back to back, each with the DynamoDB requests it made (the proxy's counts, reset before each). */
export async function runStatusReads(stack: BenchStack, log: (line: string) => void): Promise<StatusRead[]> {
  const reads: StatusRead[] = [];
  for (let call = 0; call < 3; call += 1) {
    stack.counter.reset();
    const answer = await stack.api.call('/v1/status', { bearer: 'admin' });
    const counts = stack.counter.counts();
    reads.push({ status: answer.status, requests: Object.values(counts.requests).reduce((total, value) => total + value, 0), byStatusCounts: counts.countQueries['byStatus STATUS'] ?? 0 });
  }
  log(`GET /v1/status × 3: ${reads.map((read) => `${read.status}, ${read.requests} DynamoDB requests, ${read.byStatusCounts} COUNT queries of a status`).join('; ')}`);
  return reads;
}

export async function runLatencyBenchmark(stack: BenchStack, taskId: string, options: LatencyOptions): Promise<LatencyResult> {
  const { seconds, log } = options;
  const statusReads = await runStatusReads(stack, log);
  const sequential = await runSequentialRead(stack, taskId, options.sequential, log);
  const rows: LatencyRow[] = [];
  let run = 0;
  const measure = async (route: 'GET' | 'POST', rate: number) => {
    const label = route === 'GET' ? 'GET /v1/tasks/{id}' : 'POST /v1/tasks';
    run += 1;
    await stack.mailbox.clear();
    log(`${label} at ${rate} req/s: 2 s warm-up, then ${seconds} s`);
    const warm = await cannon(stack, route, rate, 2, taskId, `lat-warm-${run}`);
    const { result, latenciesMs } = await cannon(stack, route, rate, seconds, taskId, `lat-${run}`);
    log(`  p50 ${percentile(latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(latenciesMs, 99).toFixed(1)} ms, ${result['2xx']} × 2xx, ${result.non2xx} other, ${result.errors} errors, sender at most ${result.maxLateMs.toFixed(1)} ms late`);
    rows.push({ route: label, rate, result, latenciesMs });
    if (route === 'POST') await waitForApprovalEmails(stack, warm.result['2xx'] + result['2xx'], log);
  };
  for (const rate of options.getRates) await measure('GET', rate);
  for (const rate of options.postRates) await measure('POST', rate);
  return { statusReads, sequential, rows };
}

/** The read's ratio to its floor: p50 of GET /v1/tasks/{id} over p50 of its raw GetItem, both one at a time. */
export const readRatio = (sequential: SequentialRead) => percentile(sequential.getMs, 50) / percentile(sequential.rawViaProxyMs, 50);

/** The same for the handler alone (no local gateway): its share of the read. */
export const handlerReadRatio = (sequential: SequentialRead) => percentile(sequential.handlerMs, 50) / percentile(sequential.rawViaProxyMs, 50);

export function sequentialTable(sequential: SequentialRead): Table {
  const row = (what: string, values: readonly number[]) => [what, values.length, fmt(percentile(values, 50), 2), fmt(percentile(values, 90), 2), fmt(percentile(values, 99), 2), fmt(percentile(values, 50) / percentile(sequential.rawViaProxyMs, 50), 2)];
  return {
    title: '4a. A read against its floor, one request at a time (client side, ms)',
    headers: ['request', 'requests', 'p50', 'p90', 'p99', 'p50 ÷ GetItem via proxy'],
    rows: [
      row('GET /v1/tasks/{id} (admin JWT)', sequential.getMs),
      row('its HTTP handler alone, called in this process (no gateway, no HTTP)', sequential.handlerMs),
      row('GetItem (ConsistentRead) through the counting proxy', sequential.rawViaProxyMs),
      row('GetItem (ConsistentRead) straight to DynamoDB Local', sequential.rawDirectMs),
    ],
    notes: [
      'The floor is the one DynamoDB request the route makes, sent by an SDK client in the benchmark\'s process through the same counting proxy the handlers use; rounds of 50 of each, interleaved.',
      'GET includes the local gateway (HTTP → API Gateway event, JWT checked against the pool\'s JWKS), the handler, the GetItem, parsing the task and the view.',
      'the handler alone: the stack\'s HTTP handler imported into the benchmark\'s process with the stack\'s handler environment (the same table through the same proxy) and called with the route\'s API Gateway event, timed from call to answer; what it takes over the GetItem is the handler\'s own share (its JWT check, middy, the task\'s schema, the view), the rest of the GET is the local gateway\'s and the HTTP hop\'s, which API Gateway does on AWS.',
    ],
  };
}

export function latencyTable(rows: readonly LatencyRow[], options: LatencyOptions): Table {
  return {
    title: '4b. API latency at a fixed rate (open loop, client side, ms)',
    headers: ['route', 'rate req/s', 'achieved req/s', 'requests', 'p50', 'p90', 'p99', 'max', 'non-2xx', 'errors'],
    rows: rows.map(({ route, rate, result, latenciesMs }) => [
      route,
      rate,
      fmt((result['2xx'] + result.non2xx) / result.duration, 1),
      result['2xx'] + result.non2xx,
      fmt(percentile(latenciesMs, 50), 1),
      fmt(percentile(latenciesMs, 90), 1),
      fmt(percentile(latenciesMs, 99), 1),
      fmt(Math.max(...latenciesMs), 1),
      result.non2xx,
      result.errors,
    ]),
    notes: [
      `${options.seconds} s per row after a 2 s warm-up; request i sent at i / rate whatever is in flight (open loop: no coordinated omission), timed from its send to the end of its body; latencies of 2xx answers.`,
      'POST /v1/tasks creates a sign-up each time; its workflow (AwaitApproval: preApprove, approval email) runs in the same process while the load goes on.',
    ],
  };
}
