/**
 * The local stack as the benchmarks use it: started in a child process (what `npm start` runs),
 * with a request-counting proxy between the handlers and DynamoDB Local, a mailbox watcher, an API
 * client that counts its requests, and signed JWTs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { signLocalToken } from '#local/cognito/tokens';
import { freePort } from '#local/ports';
import { type RunningStack, spawnStack } from '../test/support/spawn-stack.ts';
import type { Endpoints } from '../test/support/stack.ts';
import { type DynamoDbCounter, startDynamoDbCounter } from './dynamodb-counter.ts';
import { Mailbox } from './mailbox.ts';

export interface ApiAnswer {
  readonly status: number;
  readonly json: Record<string, unknown> | undefined;
  readonly text: string;
}

export interface ApiOptions {
  readonly method?: string;
  readonly json?: unknown;
  /** A bearer JWT, or 'admin' for the stack's admin token. */
  readonly bearer?: string;
}

/** An HTTP client for the local API that counts its requests (one request = one HTTP Lambda invocation). */
export class ApiClient {
  requests = 0;
  /** Requests sent again after a retryable 409 (counted in `requests` too). */
  retries = 0;
  constructor(private readonly endpoints: Endpoints) {}

  /** Milliseconds each request took, client side (reset by the phase that reads them). */
  latencies: number[] = [];

  async call(path: string, options: ApiOptions = {}): Promise<ApiAnswer> {
    this.requests += 1;
    const started = performance.now();
    const bearer = options.bearer === 'admin' ? this.endpoints.adminToken : options.bearer;
    const response = await fetch(`${this.endpoints.api}${path}`, {
      method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
      headers: {
        ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    });
    const text = await response.text();
    this.latencies.push(performance.now() - started);
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  }
}

export interface BenchStack {
  readonly endpoints: Endpoints;
  /** The pid of the stack's Node process (its child is DynamoDB Local's JVM). */
  readonly stackPid: number | undefined;
  readonly counter: DynamoDbCounter;
  readonly mailbox: Mailbox;
  readonly api: ApiClient;
  /** A bearer JWT (an ID token of the local pool) for any identity. */
  token(claims: { sub: string; email: string; roles: string[] }): Promise<string>;
  /** An SDK client straight to DynamoDB Local (not through the proxy). */
  readonly dynamodb: DynamoDBClient;
  /** An SDK client to DynamoDB Local through the counting proxy. */
  readonly dynamodbViaProxy: DynamoDBClient;
  /** An SDK client to the local Step Functions runner. */
  readonly sfn: SFNClient;
  /** Lifecycle events the stack has published so far (the EventBridge emulator's record). */
  eventCount(): Promise<number>;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Starts the stack in a fresh data directory. DynamoDB Local gets a fixed free port so the proxy
 * can point at it before it starts; the TTL sweeper is slowed to once an hour (it scans the whole
 * table, emulating a DynamoDB feature that costs nothing and is no work of the handlers), and so is
 * the reconciler (a scheduled run's reads and its report write are per schedule, not per task: at
 * the local 30 s they landed in whichever task's phase was being measured, e.g. 0.1 WRU per sign-up).
 */
export async function startBenchStack(log: (line: string) => void, extraEnv: Record<string, string> = {}): Promise<BenchStack> {
  const home = mkdtempSync(join(tmpdir(), 'assent-bench-'));
  const dynamoPort = await freePort();
  const counter = await startDynamoDbCounter(`http://127.0.0.1:${dynamoPort}`);
  let running: RunningStack;
  try {
    running = await spawnStack(
      home,
      { PORT: '0', MAIL_PORT: '0', DYNAMODB_PORT: String(dynamoPort), SFN_PORT: '0', EVENTS_PORT: '0' },
      { ASSENT_HANDLER_DYNAMODB_ENDPOINT: counter.endpoint, ASSENT_SWEEP_SECONDS: '3600', ASSENT_RECONCILE_SECONDS: '3600', ...extraEnv },
    );
  } catch (error) {
    await counter.close();
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const { endpoints } = running;
  log(`local stack up: API ${endpoints.api}, DynamoDB Local ${endpoints.services.dynamodb} (handlers via proxy ${counter.endpoint}), data in ${home}`);
  const mailbox = new Mailbox(endpoints.mailbox);
  mailbox.start();
  const client = (endpoint: string) => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  const dynamodb = client(endpoints.services.dynamodb);
  const dynamodbViaProxy = client(counter.endpoint);
  const sfn = new SFNClient({ endpoint: endpoints.services.sfn, region: 'us-east-1', credentials: CREDENTIALS });
  return {
    endpoints,
    stackPid: running.child.pid,
    counter,
    mailbox,
    api: new ApiClient(endpoints),
    token: (claims) => signLocalToken(endpoints.cognito, { sub: claims.sub, groups: claims.roles, email: claims.email }, 'id'),
    dynamodb,
    dynamodbViaProxy,
    sfn,
    eventCount: async () => ((await (await fetch(`${endpoints.api}/local/events`)).json()) as unknown[]).length,
    stop: async () => {
      mailbox.stop();
      dynamodb.destroy();
      dynamodbViaProxy.destroy();
      sfn.destroy();
      await running.stop();
      await counter.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
