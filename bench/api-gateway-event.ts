import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * An HTTP API (payload 2.0) event for a GET of `routeKey` at `path`, as API Gateway (and the local
 * gateway) hands it to the HTTP function: for the cold-start probe's first call and the read of the
 * handler alone.
 */
export function apiGatewayGet(routeKey: string, path: string, extra: { headers?: Record<string, string>; pathParameters?: Record<string, string> } = {}): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { accept: 'application/json', host: 'api.example.com', ...extra.headers },
    ...(extra.pathParameters ? { pathParameters: extra.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}
