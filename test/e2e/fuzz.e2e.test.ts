import fc from 'fast-check';
import { MAX_BODY_BYTES } from '#http/body';
import { routeKey } from '#http/routes';
import {
  deepJson,
  type FuzzContext,
  type FuzzResponse,
  fuzzContext,
  fuzzedRoutes,
  problemsWith,
  requestArbitrary,
  send,
  sendRaw,
  stillServing,
  unknownRequestArbitrary,
} from '../support/fuzz.ts';

/**
 * Bad input (issue 5): every route fuzzed with fast-check through the local stack, then the cases the
 * fuzzing found or must never lose, as plain examples with exact answers. The oracle and the model of
 * who answers (the gateway emulating API Gateway, or our handler) are in test/support/fuzz.ts;
 * test/slow/fuzz.slow.test.ts runs the same arbitraries over 10,000 cases.
 */
const RUNS_PER_ROUTE = 50;
const PROBLEMS = 'https://assent.dev/problems/';
const JSON_HEADERS = { 'content-type': 'application/json' };

let context: FuzzContext;
let admin: Record<string, string>;

beforeAll(async () => {
  context = await fuzzContext();
  admin = { authorization: `Bearer ${context.adminToken}` };
});

/** Status, content type and parsed body of an answer (JSON.parse: Jest's realm quirk with fetch().json()). */
const view = (response: FuzzResponse) => {
  let body: unknown = response.text;
  try {
    body = JSON.parse(response.text);
  } catch {
    // not JSON: compare the text
  }
  return { status: response.status, contentType: response.headers['content-type'], body };
};

const problem = (status: number, type: string, title: string, detail: string, instance: string, extra: Record<string, unknown> = {}) => ({
  status,
  contentType: 'application/problem+json',
  body: { type: `${PROBLEMS}${type}`, title, status, detail, instance, ...extra },
});

const invalid = (instance: string, errors: { path: string; message: string }[]) =>
  problem(400, 'validation-failed', 'The request is not valid', 'Some fields are not valid; see errors[] for each one.', instance, { errors });

const notFound = (detail: string, instance: string) => problem(404, 'not-found', 'Not found', detail, instance);
const unreadable = (detail: string, instance: string) => problem(400, 'bad-request', 'The request cannot be read', detail, instance);
const postTask = (body: string | Buffer, headers: Record<string, string | string[]> = JSON_HEADERS) => sendRaw(context.api, 'POST', '/v1/tasks', headers, body);

describe('fuzzing every route: only 2xx or 4xx problem+json, never a 5xx, a leak or a hang', () => {
  it.each(fuzzedRoutes.map((route) => [routeKey(route), route] as const))(
    '%s',
    async (_key, route) => {
      // Prepare
      const requests = requestArbitrary(route, context);

      // Act + Assess: every answer passes the oracle (fast-check prints the seed and a shrunk request on failure)
      await fc.assert(
        fc.asyncProperty(requests, async (request) => {
          expect(problemsWith(request, await send(context.api, request))).toStrictEqual([]);
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
      expect(await stillServing(context)).toStrictEqual([]);
    },
    120_000,
  );

  it('unknown paths and methods: the handler answers 404 not-found through the $default route, or the route the gateway normalises to answers', async () => {
    await fc.assert(
      fc.asyncProperty(unknownRequestArbitrary(context), async (request) => {
        expect(problemsWith(request, await send(context.api, request))).toStrictEqual([]);
      }),
      { numRuns: RUNS_PER_ROUTE * 2 },
    );
    expect(await stillServing(context)).toStrictEqual([]);
  }, 120_000);
});

describe('bad input, by example', () => {
  describe('body size', () => {
    it('refuses a body one byte over the 64 KB limit with 413', async () => {
      // Prepare
      const body = `"${'x'.repeat(MAX_BODY_BYTES - 1)}"`;

      // Act
      const response = await postTask(body);

      // Assess
      expect(view(response)).toStrictEqual(
        problem(413, 'payload-too-large', 'The request body is too large', `The body is ${MAX_BODY_BYTES + 1} bytes; the limit is ${MAX_BODY_BYTES}.`, '/v1/tasks'),
      );
    });

    it('reads a body of exactly 64 KB and judges its content (a too-long type is "too big", not "Required")', async () => {
      const overhead = '{"type":"","data":{}}'.length;
      const body = `{"type":"${'a'.repeat(MAX_BODY_BYTES - overhead)}","data":{}}`;

      const response = await postTask(body);

      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
      expect(view(response)).toStrictEqual(invalid('/v1/tasks', [{ path: 'type', message: 'Too big: expected string to have <=100 characters' }]));
    });

    it("lets the gateway refuse over 10 MB with API Gateway's own 413", async () => {
      const response = await postTask(Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));

      expect([response.status, response.headers['content-type'], response.text]).toStrictEqual([413, 'application/json', '{"message":"Request Entity Too Large"}']);
    });
  });

  describe('JSON that is deeply nested, not JSON, or pollutes prototypes', () => {
    it.each([
      ['arrays 10,000 levels deep', deepJson(10_000)],
      ['objects 10,000 levels deep', deepJson(10_000, 'object')],
      ['33 levels', deepJson(33)],
      ['data nested 10,000 levels', `{"type":"sign-up","data":{"email":${deepJson(10_000)}}}`],
    ])('refuses %s with 400', async (_name, body) => {
      const response = await postTask(body);

      expect(view(response)).toStrictEqual(unreadable('The body is nested more than 32 levels deep.', '/v1/tasks'));
    });

    it('refuses deep data with an Idempotency-Key with 400 (regression: a 500, the fingerprint overflowed the stack)', async () => {
      const body = `{"type":"no-such-type","data":{"x":${deepJson(10_000)}}}`;

      const response = await postTask(body, { ...JSON_HEADERS, 'idempotency-key': `fuzz-${Date.now()}` });

      expect(view(response)).toStrictEqual(unreadable('The body is nested more than 32 levels deep.', '/v1/tasks'));
    });

    it('reads JSON nested 32 levels deep (and judges its content)', async () => {
      const body = `{"type":"no-such-type","data":{"x":${deepJson(30)}}}`;

      const response = await postTask(body, { ...JSON_HEADERS, 'idempotency-key': `fuzz-${Date.now()}` });

      expect(view(response)).toStrictEqual(notFound('There is no task type "no-such-type". GET /v1/task-types lists them.', '/v1/tasks'));
    });

    it.each([
      ['in data (regression: accepted, and its fields passed for the data\'s own)', '{"type":"reset-password","data":{"__proto__":{"email":"fuzz@example.com"}}}'],
      ['at the top', '{"__proto__":{"type":"reset-password"},"data":{}}'],
      ['in an array', '{"type":"x","data":{"list":[{"__proto__":{}}]}}'],
    ])('refuses a "__proto__" key %s with 400', async (_where, body) => {
      const response = await postTask(body);

      expect(view(response)).toStrictEqual(unreadable('The body has a "__proto__" key, which is not allowed.', '/v1/tasks'));
    });

    it('refuses a "constructor" field as an unknown one', async () => {
      const response = await postTask('{"type":"reset-password","data":{"email":"fuzz@example.com","constructor":{"prototype":{"admin":true}}}}');

      expect(view(response)).toStrictEqual(invalid('/v1/tasks', [{ path: 'data.constructor', message: 'Unknown field' }]));
    });

    it.each(['{', '{"type":"x",}', "{'type':'x'}", '{"a":NaN}', '\ufeff{}', '{"a":1}{"b":2}', '[1,2'])('refuses %j as not JSON', async (body) => {
      const response = await postTask(body);

      expect(view(response)).toStrictEqual(unreadable('The body is not valid JSON.', '/v1/tasks'));
    });

    it('judges huge numbers as field values', async () => {
      const response = await postTask(`{"type":"sign-up","data":{"email":1e400,"projectName":123456789012345678901234567890}}`);

      const { body } = view(response) as { body: { status: number; errors: { path: string }[] } };
      expect([body.status, body.errors.map((error) => error.path)]).toStrictEqual([400, ['data.email', 'data.projectName']]);
    });

    it('judges a huge number as a task type', async () => {
      const response = await postTask('{"type":1e400,"data":{}}');

      expect(view(response)).toStrictEqual(invalid('/v1/tasks', [{ path: 'type', message: 'Invalid input: expected string, received Infinity' }]));
    });
  });

  describe('content types', () => {
    it.each([
      ['text/plain', 'Content type "text/plain" is not supported; send application/json or application/x-www-form-urlencoded.'],
      ['application/xml; charset=utf-8', 'Content type "application/xml" is not supported; send application/json or application/x-www-form-urlencoded.'],
      ['multipart/form-data; boundary=x', 'Content type "multipart/form-data" is not supported; send application/json or application/x-www-form-urlencoded.'],
    ])('refuses %s with 415', async (contentType, detail) => {
      const response = await postTask('{"type":"x","data":{}}', { 'content-type': contentType });

      expect(view(response)).toStrictEqual(problem(415, 'unsupported-media-type', 'Unsupported content type', detail, '/v1/tasks'));
    });

    it('refuses a body without a content type with 415', async () => {
      const response = await postTask('{"type":"x","data":{}}', {});

      expect(view(response)).toStrictEqual(
        problem(415, 'unsupported-media-type', 'Unsupported content type', 'Send a Content-Type header: application/json or application/x-www-form-urlencoded.', '/v1/tasks'),
      );
    });

    it('reads the first of two Content-Type headers', async () => {
      const response = await postTask('{"type":"x","data":{}}', { 'content-type': ['text/plain', 'application/json'] });

      expect(view(response)).toStrictEqual(
        problem(415, 'unsupported-media-type', 'Unsupported content type', 'Content type "text/plain" is not supported; send application/json or application/x-www-form-urlencoded.', '/v1/tasks'),
      );
    });

    it('judges a form where JSON fields are expected', async () => {
      const response = await postTask('type=sign-up&data=x', { 'content-type': 'application/x-www-form-urlencoded' });

      expect(view(response)).toStrictEqual(invalid('/v1/tasks', [{ path: 'data', message: "Required: an object with the task type's fields" }]));
    });
  });

  describe('unicode', () => {
    it.each([
      ['right-to-left override, emoji and NUL', '\u202eevil😀\u0000'],
      ['a zero-width space and a BOM', '\u200b\ufeff'],
    ])('echoes %s in a task type back as JSON', async (_name, type) => {
      const response = await postTask(JSON.stringify({ type, data: {} }));

      expect(view(response)).toStrictEqual(notFound(`There is no task type "${type}". GET /v1/task-types lists them.`, '/v1/tasks'));
    });

    it('refuses a lone surrogate (the JSON escape \\ud800) with 400 naming the field, before any lookup', async () => {
      const response = await postTask(JSON.stringify({ type: '\ud800', data: { projectName: 'a\udc00b' } }));

      expect(view(response)).toStrictEqual(
        problem(400, 'validation-failed', 'The request is not valid', 'Some fields are not valid Unicode text; see errors[] for each one.', '/v1/tasks', {
          errors: [
            { path: 'type', message: 'Not valid Unicode: it holds an unpaired surrogate (such as "\\ud800"); send well-formed text.' },
            { path: 'data.projectName', message: 'Not valid Unicode: it holds an unpaired surrogate (such as "\\ud800"); send well-formed text.' },
          ],
        }),
      );
    });

    it('reads bytes that are not UTF-8 as replacement characters', async () => {
      const body = Buffer.concat([Buffer.from('{"type":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","data":{}}')]);

      const response = await postTask(body);

      expect(view(response)).toStrictEqual(notFound('There is no task type "\ufffd\ufffd\ufffd". GET /v1/task-types lists them.', '/v1/tasks'));
    });

    it('finds no notification with a unicode id', async () => {
      const response = await sendRaw(context.api, 'GET', '/v1/notifications/%E2%80%AE%F0%9F%98%80%00', admin);

      expect(view(response)).toStrictEqual(notFound('There is no notification \u202e😀\u0000.', '/v1/notifications/%E2%80%AE%F0%9F%98%80%00'));
    });
  });

  describe('path segments', () => {
    it.each(['%ED%A0%80', '%zz', '%', '%C0%AF'])('finds no notification %s (regression: the gateway answered 500 to a malformed percent-encoding)', async (segment) => {
      const response = await sendRaw(context.api, 'GET', `/v1/notifications/${segment}`, admin);

      expect(view(response)).toStrictEqual(notFound(`There is no notification ${segment}.`, `/v1/notifications/${segment}`));
    });

    it('decodes an encoded slash inside one segment', async () => {
      const response = await sendRaw(context.api, 'GET', '/v1/tasks/..%2F..%2Fstatus', admin);

      expect(view(response)).toStrictEqual(notFound('There is no task ../../status.', '/v1/tasks/..%2F..%2Fstatus'));
    });

    it('resolves dot segments before routing, as URLs do', async () => {
      const response = await sendRaw(context.api, 'GET', '/v1/tasks/%2e%2e/task-types');

      expect(view(response)).toMatchObject({ status: 200, contentType: 'application/json' });
    });

    it.each([
      ['GET', '/v1/notifications/{long}', 'There is no notification {long}.'],
      ['POST', '/v1/notifications/{long}/acknowledge', 'There is no notification {long}.'],
      ['GET', '/v1/todos/{long}', 'There is no todo {long}.'],
      ['POST', '/v1/todos/{long}/actions/mark-done', 'There is no todos item {long}.'],
      ['GET', '/v1/tasks/{long}', 'There is no task {long}.'],
    ])('%s %s with a 3,000-character id is not found (regression: DynamoDB refused the key, a 500)', async (method, template, detail) => {
      const long = 'A'.repeat(3000);
      const path = template.replace('{long}', long);

      const response = await sendRaw(context.api, method, path, admin);

      expect(view(response)).toStrictEqual(notFound(detail.replace('{long}', long), path));
    });
  });

  describe('query strings', () => {
    it('refuses a time range that ends before it starts (regression: DynamoDB refused the BETWEEN, a 500)', async () => {
      const response = await sendRaw(context.api, 'GET', '/v1/tasks?createdFrom=2026-01-01T00:00:00Z&createdTo=1999-01-01T00:00:00%2B14:00', admin);

      expect(view(response)).toStrictEqual(invalid('/v1/tasks', [{ path: 'query.createdTo', message: 'Must not be before createdFrom' }]));
    });

    it.each(['/v1/tasks', '/v1/tokens', '/v1/notifications'])('refuses a cursor that is not base64url JSON on %s', async (path) => {
      const response = await sendRaw(context.api, 'GET', `${path}?cursor=%ED%A0%80not-a-cursor`, admin);

      expect(view(response)).toStrictEqual(unreadable('The cursor is not one this API returned; start again without it.', path));
    });

    // Found by fuzzing: any JSON object used to go to DynamoDB as ExclusiveStartKey, whose
    // ValidationException became a 500.
    it.each([
      ['/v1/tasks', '{"pk":{"S":"x"},"a":1}'],
      ['/v1/tokens', '{}'],
      ['/v1/notifications', '{"pk":"TASK#x","sk":"TASK"}'],
      ['/v1/tasks', '{"pk":"x","sk":"y","gsi1pk":"z","gsi1sk":"w"}'],
    ])('refuses a forged cursor on %s (%s) with 400', async (path, key) => {
      const cursor = Buffer.from(key).toString('base64url');

      const response = await sendRaw(context.api, 'GET', `${path}?cursor=${cursor}`, admin);

      expect(view(response)).toStrictEqual(unreadable('The cursor is not one this API returned; start again without it.', path));
    });
  });

  describe('headers', () => {
    it.each([
      ['with space inside', 'with space inside'],
      ['too short', 'short'],
      ['too long', 'k'.repeat(256)],
      ['Latin-1', 'caf\u00e9-key-123'],
      ['duplicated (joined with a comma)', ['fuzz-key-1', 'fuzz-key-2']],
    ])('refuses an Idempotency-Key %s', async (_name, key) => {
      const response = await postTask('{"type":"no-such-type","data":{}}', { ...JSON_HEADERS, 'idempotency-key': key });

      expect(view(response)).toStrictEqual(invalid('/v1/tasks', [{ path: 'headers.idempotency-key', message: 'Must be 8 to 255 visible ASCII characters, e.g. a UUID' }]));
    });

    it.each([
      ['Basic', 'The Authorization header must be "Bearer <JWT>".'],
      ['lower-case scheme', 'The Authorization header must be "Bearer <JWT>".'],
      ['Latin-1', 'The Authorization header must be "Bearer <JWT>".'],
      ['expired', 'The bearer token has expired.'],
      ['foreign key', 'The bearer token is not valid.'],
      ['alg none', 'The bearer token is not valid.'],
      ['forged payload', 'The bearer token is not valid.'],
      ['wrong audience', 'The bearer token is not valid.'],
    ])('refuses a %s Authorization on a public route with a 401 problem', async (label, detail) => {
      const variant = context.refused.find((candidate) => candidate.label === label);

      const response = await sendRaw(context.api, 'GET', '/v1/task-types', { authorization: [...(variant?.lines ?? [])] });

      expect(view(response)).toStrictEqual(problem(401, 'unauthorized', 'Authentication is required', detail, '/v1/task-types'));
    });

    it('refuses a signed token without a subject with a 401 problem', async () => {
      const response = await sendRaw(context.api, 'GET', '/v1/status', { authorization: [...context.auth.noSubject.lines] });

      expect(view(response)).toStrictEqual(problem(401, 'unauthorized', 'Authentication is required', 'The bearer token has no subject.', '/v1/status'));
    });

    it.each([
      ['text/html;q=0, application/json', 'application/problem+json'],
      ['text/html;q=0.1, application/json', 'application/problem+json'],
      ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'text/html; charset=utf-8'],
    ])('answers Accept: %s with %s (regression: q-values were ignored)', async (accept, contentType) => {
      const response = await sendRaw(context.api, 'GET', '/v1/tokens/not-a-token', { accept });

      expect([response.status, response.headers['content-type']]).toStrictEqual([404, contentType]);
    });
  });

  describe("unknown routes (the handler's $default route) and the gateway's own answers (API Gateway's)", () => {
    it.each([
      ['GET', '/v1/nope'],
      ['PATCH', '/v1/task-types'],
      ['GET', '/v1/task-types/'],
      ['GET', '//x/v1/task-types'],
      ['GET', '//%zz/x'],
    ])('%s %s: 404 not-found problem, not {"message":"Not Found"} (regression: `//host` paths were routed as hosts, or a 500)', async (method, path) => {
      const response = await sendRaw(context.api, method, path);

      expect([response.status, response.headers['content-type'], JSON.parse(response.text)]).toStrictEqual([
        404,
        'application/problem+json',
        { type: 'https://assent.dev/problems/not-found', title: 'Not found', status: 404, detail: `There is no route ${method} ${path}. GET /v1/openapi.json lists the routes.`, instance: path },
      ]);
    });

    it.each([
      ['no token', []],
      ['an expired token', ['expired']],
      ['a junk header', ['junk']],
    ])('a jwt route with %s: 401 {"message":"Unauthorized"}', async (_name, labels) => {
      const lines = labels.flatMap((label) => context.refused.find((variant) => variant.label === label)?.lines ?? [label]);

      const response = await sendRaw(context.api, 'GET', '/v1/status', lines.length ? { authorization: lines } : {});

      expect([response.status, response.headers['content-type'], response.headers['www-authenticate'], response.text]).toStrictEqual([
        401,
        'application/json',
        'Bearer',
        '{"message":"Unauthorized"}',
      ]);
    });

    it.each(['GET', 'POST'])('answers %s to a request target that is not a URL with 400 (regression: a 500)', async (method) => {
      const response = await sendRaw(context.api, method, 'http://x:99999/v1/task-types');

      expect([response.status, response.headers['content-type'], response.text]).toStrictEqual([400, 'application/json', '{"message":"Bad Request"}']);
    });
  });

  it('keeps serving after all of it', async () => {
    expect(await stillServing(context)).toStrictEqual([]);
  });
});
