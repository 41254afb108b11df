import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DEFAULT_ROUTE_KEY, type RouteDefinition, routeKey } from '../functions/http/routes.ts';

/** API Gateway's own limit on a request payload. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface GatewayOptions {
  readonly host: string;
  readonly port: number;
  readonly routes: readonly RouteDefinition[];
  readonly handler: HttpHandler;
  /** Emulates the JWT authorizer: claims of a valid bearer token, or undefined. */
  readonly verifyJwt: (token: string) => Promise<Record<string, unknown> | undefined>;
  /** Local-only endpoints (`/local/...`, the only paths it is called for); return true when handled. */
  readonly extra?: (request: IncomingMessage, response: ServerResponse, body: Buffer) => Promise<boolean>;
  readonly log?: (line: string) => void;
}

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly names: string[];
}

const compile = (route: RouteDefinition): CompiledRoute => {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
};

const BINARY = /^(image|audio|video)\/|application\/(octet-stream|pdf|zip)/;

/**
 * A path parameter, percent-decoded. A malformed encoding (`%zz`, a lone `%`, `%ED%A0%80`, which is
 * not UTF-8) is passed on as it came, so the handler answers it (404) instead of the gateway failing with a 500.
 */
const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/**
 * Turns HTTP requests into API Gateway HTTP API (payload v2) events for the same Lambda handler,
 * matching routes like API Gateway does and applying the JWT authorizer to `auth: 'jwt'` routes.
 * A request no route matches (path or method) goes to the handler as the `$default` route, without
 * authorizer, as on AWS (lib/constructs/http-api.ts): the handler answers it with a 404 problem.
 */
export function startGateway(options: GatewayOptions): Promise<{ server: Server; url: string }> {
  const compiled = options.routes.map(compile);
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.log?.(`gateway error: ${String(error)}`);
      if (!response.headersSent) send(response, 500, { 'content-type': 'application/json' }, '{"message":"Internal Server Error"}');
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === undefined) return send(response, 413, { 'content-type': 'application/json' }, '{"message":"Request Entity Too Large"}');
    const url = parseTarget(request.url);
    if (!url) return send(response, 400, { 'content-type': 'application/json' }, '{"message":"Bad Request"}');
    if (options.extra && url.pathname.startsWith('/local/') && (await options.extra(request, response, body))) return;
    const method = (request.method ?? 'GET').toUpperCase();
    const pathMatches = compiled
      .map((entry) => ({ entry, match: entry.pattern.exec(url.pathname) }))
      .filter((candidate) => candidate.match !== null);
    const matched = pathMatches.find((candidate) => candidate.entry.route.method === method);
    const headers = lowerCaseHeaders(request);
    if (!matched?.match) return invoke(response, toEvent(request, url, method, headers, body, DEFAULT_ROUTE_KEY, {}, undefined));
    const { route, names } = matched.entry;
    let claims: Record<string, unknown> | undefined;
    if (route.auth === 'jwt') {
      const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
      claims = token ? await options.verifyJwt(token) : undefined;
      if (!claims) return send(response, 401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }, '{"message":"Unauthorized"}');
    }
    const pathParameters = Object.fromEntries(names.map((name, index) => [name, decodeSegment(matched.match?.[index + 1] ?? '')]));
    return invoke(response, toEvent(request, url, method, headers, body, routeKey(route), pathParameters, claims));
  }

  async function invoke(response: ServerResponse, event: APIGatewayProxyEventV2): Promise<void> {
    const started = Date.now();
    const result = await options.handler(event, lambdaContext());
    const status = result.statusCode ?? 200;
    options.log?.(`http  ${event.requestContext.http.method} ${event.rawPath.replace(/\/(approvals|tokens)\/[^/]+/, '/$1/…')} → ${status} (${Date.now() - started} ms)`);
    const outHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) outHeaders[name] = String(value);
    const payload = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
    if (result.cookies?.length) response.setHeader('set-cookie', result.cookies);
    send(response, status, outHeaders, payload);
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolve({ server, url: `http://${options.host}:${port}` });
    });
  });
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  key: string,
  pathParameters: Record<string, string>,
  claims: Record<string, unknown> | undefined,
): APIGatewayProxyEventV2 {
  const binary = BINARY.test(headers['content-type'] ?? '');
  const query = url.searchParams;
  const queryStringParameters: Record<string, string> = {};
  for (const key of new Set(query.keys())) queryStringParameters[key] = query.getAll(key).join(',');
  const now = new Date();
  const cookies = headers.cookie?.split(';').map((cookie) => cookie.trim());
  const event = {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(cookies ? { cookies } : {}),
    ...(Object.keys(queryStringParameters).length ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
    ...(body.length ? { body: binary ? body.toString('base64') : body.toString('utf8') } : {}),
    isBase64Encoded: binary && body.length > 0,
  };
  return event as unknown as APIGatewayProxyEventV2;
}

/**
 * The request target as a URL, or undefined when it does not parse (`http://x:99999/`). An origin-form
 * target is a path even when it starts with `//`, as API Gateway routes it (not a host).
 */
function parseTarget(target: string | undefined): URL | undefined {
  try {
    return target?.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function lowerCaseHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  response.writeHead(status, headers);
  response.end(body);
}

/** The HTTP function's timeout (lib/assent-stack.ts): an invocation's context counts down from it. */
export const HTTP_TIMEOUT_MS = 29_000;

function lambdaContext(): Context {
  const requestId = randomUUID();
  const deadline = Date.now() + HTTP_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'assent-http',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:assent-http',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/assent-http',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
