import type { Context } from 'aws-lambda';
import { handler } from '#http/handler';
import type { HttpEvent } from '#http/http-types';
import { SECURITY_HEADERS } from '#http/responses';
import { DEFAULT_ROUTE_KEY } from '#http/routes';

/** An API Gateway v2 event as the `$default` route sends it: no path parameters, no authorizer. */
const defaultRouteEvent = (method: string, path: string, headers: Record<string, string> = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey: DEFAULT_ROUTE_KEY,
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' }, requestId: 'r1', routeKey: DEFAULT_ROUTE_KEY, stage: '$default' },
    isBase64Encoded: false,
  }) as unknown as HttpEvent;

const context = { functionName: 'assent-http', awsRequestId: 'r1', getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

describe('the $default route (a request no route matches)', () => {
  it.each([
    ['GET', '/v1/nope'],
    ['DELETE', '/v1/tasks'],
    ['POST', '/'],
  ])('answers %s %s with a 404 problem, as every other error of the API', async (method, path) => {
    // Act
    const response = await handler(defaultRouteEvent(method, path), context);

    // Assess
    expect(response).toStrictEqual({
      statusCode: 404,
      headers: { 'content-type': 'application/problem+json', ...SECURITY_HEADERS },
      body: JSON.stringify({
        type: 'https://assent.dev/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: `There is no route ${method} ${path}. GET /v1/openapi.json lists the routes.`,
        instance: path,
      }),
    });
  });

  it('answers a browser with a 404 page', async () => {
    // Act
    const response = await handler(defaultRouteEvent('GET', '/v1/nope', { accept: 'text/html,application/xhtml+xml' }), context);

    // Assess
    expect([response.statusCode, response.headers?.['content-type']]).toStrictEqual([404, 'text/html; charset=utf-8']);
  });

  it('does not take a route key that only looks up an object property for a route', async () => {
    // Act
    const response = await handler({ ...defaultRouteEvent('GET', '/x'), routeKey: 'constructor' } as HttpEvent, context);

    // Assess
    expect(response.statusCode).toBe(404);
  });
});
