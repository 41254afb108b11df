import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Identity } from '#core/identity';
import type { App } from '../app.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

/** What a route handler gets: the parsed request, the caller (if any) and the app. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON or form body, parsed; undefined when there is none. */
  readonly body: unknown;
  readonly identity: Identity | undefined;
  /** The caller's IP address as API Gateway saw it (the per-client limits key on it). */
  readonly sourceIp: string;
  /** True when the client prefers HTML (a browser following an emailed link). */
  readonly wantsHtml: boolean;
  /** How long this invocation may still run (the Lambda context's): a key held for it expires then. */
  readonly remainingTimeMs: () => number;
  readonly app: App;
}

export type RouteHandler = (request: HttpRequest) => Promise<HttpResponse>;
