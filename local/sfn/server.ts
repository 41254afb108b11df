import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApiContext, operations } from './api.ts';
import { asMachine } from './definition.ts';
import { SfnApiError } from './errors.ts';
import { ExecutionManager } from './executions.ts';
import type { JsonObject } from './records.ts';
import { ExecutionStore } from './store.ts';

/** Options of the local Step Functions runner. */
export interface SfnRunnerOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Parsed ASL JSON, placeholders already substituted by the caller. */
  definition: object;
  /** ARN the state machine answers to, e.g. `arn:aws:states:us-east-1:000000000000:stateMachine:assent-local`. */
  stateMachineArn: string;
  /**
   * Invokes a Lambda function in-process, for every `lambda:invoke` state with (FunctionName, Payload).
   * A thrown Error named X fails the state with error X and Cause `{"errorType":X,"errorMessage":…}`.
   */
  invokeLambda: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Persistence directory (created if missing): executions survive a restart of the runner. */
  dataDir: string;
  /** One readable line per execution transition. */
  log?: (line: string) => void;
}

/** A started runner. */
export interface SfnRunner {
  /** Endpoint for `@aws-sdk/client-sfn` (`endpoint` or `AWS_ENDPOINT_URL_SFN`). */
  readonly url: string;
  /** Stops listening and stops all runs; RUNNING executions stay on disk and resume on the next start. */
  close(): Promise<void>;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseRequest(body: string): JsonObject {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // answered below
  }
  throw new SfnApiError('SerializationException', 'The request body is not a JSON object');
}

function send(response: ServerResponse, status: number, body: JsonObject, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: SfnApiError): void {
  send(response, error.status, { __type: error.code, message: error.message }, { 'x-amzn-errortype': error.code });
}

/** The operation named by `X-Amz-Target: AWSStepFunctions.<Op>`. */
function operationOf(request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    throw new SfnApiError('UnknownOperationException', 'Expected POST / with X-Amz-Target: AWSStepFunctions.<Operation>');
  }
  return target.slice(TARGET_PREFIX.length);
}

async function handle(context: ApiContext, request: IncomingMessage, response: ServerResponse, log: (line: string) => void): Promise<void> {
  try {
    const name = operationOf(request);
    const body = parseRequest(await readBody(request));
    const operation = operations[name];
    if (!operation) throw new SfnApiError('UnknownOperationException', `Unknown operation ${name}`);
    send(response, 200, await operation(context, body));
  } catch (error) {
    if (error instanceof SfnApiError) return sendError(response, error);
    log(`sfn  internal error: ${(error as Error).stack ?? String(error)}`);
    sendError(response, new SfnApiError('InternalFailure', (error as Error).message, 500));
  }
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Starts the local Step Functions runner: executes `definition` with `aws-local-stepfunctions`
 * (Lambda tasks run through `invokeLambda`) and serves the Step Functions API (AWS JSON 1.0) on
 * `url`, so the real `@aws-sdk/client-sfn` works against it unchanged. Executions persist in
 * `dataDir`; those RUNNING when a previous runner stopped are resumed (waits keep their task token).
 */
export async function startSfnRunner(options: SfnRunnerOptions): Promise<SfnRunner> {
  const log = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const store = new ExecutionStore(options.dataDir, log);
  const manager = new ExecutionManager({
    definition: asMachine(options.definition),
    stateMachineArn: options.stateMachineArn,
    invokeLambda: options.invokeLambda,
    store,
    log,
  });
  await manager.restore();
  const context: ApiContext = { manager, stateMachineArn: options.stateMachineArn, definition: options.definition, createdAt: Date.now() };
  const server = createServer((request, response) => void handle(context, request, response, log));
  const address = await listen(server, options.port, host);
  manager.resumeRunning();
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    async close() {
      await stopListening(server);
      await manager.close();
    },
  };
}
