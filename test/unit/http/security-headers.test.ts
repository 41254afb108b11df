import { createHash } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { BadRequestError, TransientError } from '#core/errors';
import { handler } from '#http/handler';
import type { HttpEvent, HttpResponse } from '#http/http-types';
import { toErrorResponse } from '#http/middleware';
import { messagePage, PAGE_STYLE } from '#http/pages';
import { html, json, problem } from '#http/responses';
import { DEFAULT_ROUTE_KEY } from '#http/routes';

/** What every answer carries, whatever its kind (the CSP of HTML pages differs, see below). */
const EVERY_RESPONSE = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

const event = (accept?: string): HttpEvent => ({ rawPath: '/v1/tasks/T1', headers: accept ? { accept } : {} }) as HttpEvent;
const securityHeadersOf = (response: HttpResponse) => Object.fromEntries(Object.entries(response.headers).filter(([name]) => name !== 'content-type' && name !== 'retry-after' && name !== 'location'));

describe('security headers', () => {
  it.each<[string, HttpResponse]>([
    ['a JSON answer', json(200, { ok: true })],
    ['a JSON answer with a location (201, 202)', json(201, { id: 'T1' }, { location: '/v1/tasks/T1' })],
    ['a problem document', problem(404, { type: 'https://assent.dev/problems/not-found', status: 404 })],
    ['a client error', toErrorResponse(new BadRequestError('no'), event())],
    ['a transient failure (503 with Retry-After)', toErrorResponse(new TransientError('throttled'), event())],
    ['an internal error (500)', toErrorResponse(new Error('boom'), event())],
  ])('are all on %s, with a CSP that lets it load nothing', (_kind, response) => {
    // Act
    const headers = securityHeadersOf(response);

    // Assess
    expect(headers).toStrictEqual({ ...EVERY_RESPONSE, 'content-security-policy': API_CSP });
  });

  it.each<[string, HttpResponse]>([
    ['an HTML page', html(200, messagePage('Done', 'Thank you.'))],
    ['a client error for a browser', toErrorResponse(new BadRequestError('no'), event('text/html'))],
    ['a transient failure for a browser', toErrorResponse(new TransientError('throttled'), event('text/html'))],
    ['an internal error for a browser', toErrorResponse(new Error('boom'), event('text/html'))],
  ])('are all on %s, with a CSP that allows its own style sheet (by hash) and forms posting back only', (_kind, response) => {
    // Act
    const headers = securityHeadersOf(response);

    // Assess
    expect(headers).toStrictEqual({ ...EVERY_RESPONSE, 'content-security-policy': PAGE_CSP });
    expect(response.body).toContain(`<style>${PAGE_STYLE}</style>`);
  });

  it('cannot be replaced by the headers a handler adds', () => {
    // Act
    const response = json(200, {}, { 'x-frame-options': 'ALLOWALL', 'content-security-policy': '*', 'cache-control': 'max-age=3600' });

    // Assess
    expect(securityHeadersOf(response)).toStrictEqual({ ...EVERY_RESPONSE, 'content-security-policy': API_CSP });
  });

  it('are on what the deployed handler answers, here the $default route\'s 404', async () => {
    // Prepare
    const request = { routeKey: DEFAULT_ROUTE_KEY, rawPath: '/nope', headers: {}, requestContext: { http: { method: 'GET', sourceIp: '127.0.0.1' } } } as unknown as HttpEvent;

    // Act
    const response = await handler(request, {} as Context);

    // Assess
    expect([response.statusCode, securityHeadersOf(response)]).toStrictEqual([404, { ...EVERY_RESPONSE, 'content-security-policy': API_CSP }]);
  });
});
