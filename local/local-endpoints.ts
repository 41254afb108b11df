import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';
import type { RecordedEvent } from './eventbridge/server.ts';

export interface LocalEndpointsOptions {
  /** What the EventBridge emulator recorded (`GET /local/events`). */
  readonly events: () => readonly RecordedEvent[];
}

/** The recorded events, oldest first; only those of one task when `taskId` is given. */
export function eventsFor(events: readonly RecordedEvent[], taskId: string | null): readonly RecordedEvent[] {
  if (!taskId) return events;
  return events.filter((event) => (event.detail as { taskId?: unknown } | null)?.taskId === taskId);
}

/**
 * The gateway's local-only endpoints: `/local/events` (`?taskId=` filters) and
 * `/local/health`. Answers true when it answered; other `/local/` paths go on to the routes.
 */
export function localEndpoints(options: LocalEndpointsOptions) {
  const answer = (response: ServerResponse, body: string) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
    return true;
  };
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if (request.method !== 'GET') return false;
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/local/events') return answer(response, JSON.stringify(eventsFor(options.events(), url.searchParams.get('taskId'))));
    if (request.url === '/local/health') return answer(response, '{"status":"ok"}');
    return false;
  };
}

/** A Lambda context for a local invocation of `functionName`. */
export function lambdaContext(functionName: string, region: string, account: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
