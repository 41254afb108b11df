import type { HttpEvent } from '#http/http-types';
import { toErrorResponse } from '#http/middleware';
import { parseBody, prefersHtml } from '#http/body';
import { BadRequestError, ConcurrentUpdateError, PayloadTooLargeError, TaskAlreadyDecidedError, TransientError, UnsupportedMediaTypeError, ValidationError } from '#core/errors';

const event = (overrides: Partial<HttpEvent> = {}): HttpEvent => ({ rawPath: '/v1/tasks', headers: {}, ...overrides }) as HttpEvent;

describe('toErrorResponse', () => {
  it('maps a validation error to problem+json with field paths', () => {
    const response = toErrorResponse(new ValidationError([{ path: 'data.email', message: 'Required' }]), event());
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(String(response.body))).toStrictEqual({
      type: 'https://assent.dev/problems/validation-failed',
      title: 'The request is not valid',
      status: 400,
      detail: 'Some fields are not valid; see errors[] for each one.',
      instance: '/v1/tasks',
      errors: [{ path: 'data.email', message: 'Required' }],
    });
  });

  it('keeps extension members but never lets them replace the standard ones', () => {
    const error = new TaskAlreadyDecidedError('done', { extensions: { status: 'approved', decidedBy: 'x' } });
    expect(JSON.parse(String(toErrorResponse(error, event()).body))).toStrictEqual({
      status: 409,
      decidedBy: 'x',
      type: 'https://assent.dev/problems/already-decided',
      title: 'The task has already been decided',
      detail: 'done',
      instance: '/v1/tasks',
    });
  });

  it('hides the details of unexpected errors behind a generic 500', () => {
    const response = toErrorResponse(new Error('secret table name in stack trace'), event());
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
    expect(JSON.parse(String(response.body)).detail).toBe('Something went wrong on our side. It has been logged; try again later.');
  });

  it('answers 503 with Retry-After for transient failures', () => {
    const response = toErrorResponse(new TransientError('throttled'), event());
    expect([response.statusCode, response.headers['retry-after']]).toStrictEqual([503, '2']);
  });

  it('sends the Retry-After a client error names (a repeat while its Idempotency-Key is held), and none otherwise', () => {
    // Act
    const held = toErrorResponse(new ConcurrentUpdateError('still being handled', { retryAfterSeconds: 2 }), event());
    const lost = toErrorResponse(new ConcurrentUpdateError('kept changing'), event());

    // Assess
    expect([held.statusCode, held.headers['retry-after'], lost.statusCode, lost.headers['retry-after']]).toStrictEqual([409, '2', 409, undefined]);
  });

  it('renders an HTML page for browsers', () => {
    const response = toErrorResponse(new BadRequestError('<script>'), event({ headers: { accept: 'text/html,application/xhtml+xml' } }));
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('&#60;script&#62;');
  });
});

describe('parseBody', () => {
  it('parses JSON and forms', () => {
    expect(parseBody(event({ body: '{"a":1}' }), 'application/json; charset=utf-8')).toStrictEqual({ a: 1 });
    expect(parseBody(event({ body: 'a=1&b=x+y' }), 'application/x-www-form-urlencoded')).toStrictEqual({ a: '1', b: 'x y' });
    expect(parseBody(event({ body: Buffer.from('{"a":2}').toString('base64'), isBase64Encoded: true }), 'application/json')).toStrictEqual({ a: 2 });
    expect(parseBody(event(), 'application/json')).toBeUndefined();
  });

  it('refuses bad JSON (400), other media types (415) and large bodies (413)', () => {
    expect(() => parseBody(event({ body: '{' }), 'application/json')).toThrow(BadRequestError);
    expect(() => parseBody(event({ body: 'x' }), 'text/plain')).toThrow(UnsupportedMediaTypeError);
    expect(() => parseBody(event({ body: 'x'.repeat(64 * 1024 + 1) }), 'application/json')).toThrow(PayloadTooLargeError);
  });
});

describe('prefersHtml', () => {
  it.each([
    ['text/html,application/xhtml+xml,*/*;q=0.8', true],
    ['application/json', false],
    ['application/json, text/html', false],
    [undefined, false],
  ])('%s → %s', (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });
});
