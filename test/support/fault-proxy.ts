import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fault-injecting HTTP proxy in front of one AWS emulator (DynamoDB Local, the SES emulator, the
 * Step Functions runner, the EventBridge emulator). SDK clients pointed at it go through the real
 * protocol; a rule makes the next N calls of an operation fail the way the service fails: with its
 * throttling error in its own wire format (JSON `__type` for JSON protocols, `<ErrorResponse>` XML for
 * SES's query protocol), a 500, or a delay. Everything else is forwarded untouched.
 */
export type Fault =
  /** The service's throttling error (HTTP 400), which the SDK retries and then surfaces. */
  | { readonly kind: 'throttle' }
  /** HTTP 500 InternalFailure. */
  | { readonly kind: 'server-error' }
  /** Forwards the request after `ms` (the request still happens, late). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Forwards the request and, once the service has applied it, answers 500 instead of its answer: a write that happened, and whose answer was lost. */
  | { readonly kind: 'lost-answer' };

export interface FaultRule {
  /** The operation, e.g. `UpdateItem`, `SendEmail`, `SendTaskSuccess`, `PutEvents`. */
  readonly operation: string;
  /** How many matching calls fail; Infinity until cleared. */
  readonly times: number;
  readonly fault: Fault;
  /** Only calls whose raw request body contains this text. */
  readonly bodyContains?: string;
}

export interface ProxiedCall {
  readonly operation: string;
  /** The fault injected, if any. */
  readonly fault?: Fault['kind'];
}

export interface FaultProxy {
  readonly url: string;
  /** Arms a rule; the answer disarms it. */
  inject(rule: FaultRule): () => void;
  clear(): void;
  /** Every call seen, in order. */
  readonly calls: ProxiedCall[];
  close(): Promise<void>;
}

interface ActiveRule extends FaultRule {
  left: number;
}

const readBody = (request: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

/** `DynamoDB_20120810.UpdateItem` → UpdateItem; SES's form body `Action=SendEmail&…` → SendEmail. */
function operationOf(request: IncomingMessage, body: string): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  return new URLSearchParams(body).get('Action') ?? `${request.method} ${request.url}`;
}

function answerFault(request: IncomingMessage, response: ServerResponse, fault: Fault): void {
  const json = typeof request.headers['x-amz-target'] === 'string';
  const contentType = json ? String(request.headers['content-type'] ?? 'application/x-amz-json-1.0') : 'text/xml';
  const [status, code, message] =
    fault.kind === 'throttle'
      ? [400, json ? 'ThrottlingException' : 'Throttling', json ? 'Rate exceeded' : 'Maximum sending rate exceeded.']
      : [500, 'InternalFailure', 'The request processing has failed because of an unknown error.'];
  const body = json
    ? JSON.stringify({ __type: `com.amazonaws.fault#${code}`, message })
    : `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${status === 400 ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`;
  response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': 'fault-proxy', 'x-amzn-errortype': code });
  response.end(body);
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: ActiveRule[] = [];
  const calls: ProxiedCall[] = [];
  const upstream = new URL(target);

  const forward = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    const outgoing = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', (error) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`fault proxy: ${error.message}`);
    });
    outgoing.end(body);
  };

  /** Sends the request upstream and waits for its whole answer, which nobody reads. */
  const applied = (request: IncomingMessage, body: Buffer) =>
    new Promise<void>((resolve) => {
      const outgoing = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } },
        (answer) => {
          answer.resume();
          answer.on('end', () => resolve());
        },
      );
      outgoing.on('error', () => resolve());
      outgoing.end(body);
    });

  const server = createServer((request, response) => {
    void readBody(request).then(async (body) => {
      const text = body.toString('utf8');
      const operation = operationOf(request, text);
      const rule = rules.find((candidate) => candidate.left > 0 && candidate.operation === operation && (!candidate.bodyContains || text.includes(candidate.bodyContains)));
      if (!rule) {
        calls.push({ operation });
        return forward(request, response, body);
      }
      rule.left -= 1;
      calls.push({ operation, fault: rule.fault.kind });
      if (rule.fault.kind === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, (rule.fault as { ms: number }).ms));
        return forward(request, response, body);
      }
      if (rule.fault.kind === 'lost-answer') {
        await applied(request, body);
        return answerFault(request, response, rule.fault);
      }
      answerFault(request, response, rule.fault);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    inject: (rule) => {
      const active = { ...rule, left: rule.times };
      rules.push(active);
      return () => {
        active.left = 0;
      };
    },
    clear: () => rules.splice(0),
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
