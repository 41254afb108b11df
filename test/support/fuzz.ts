/**
 * Property-based fuzzing of the HTTP API through the local stack (issue 5, "Bad input"): per route, an
 * arbitrary of requests aimed mostly at invalid input (bodies, path parameters, query strings and
 * headers), and one oracle that judges any answer. Shared by test/e2e/fuzz.e2e.test.ts (1,600 cases)
 * and test/slow/fuzz.slow.test.ts (over 10,000).
 *
 * Who answers what (the oracle's model):
 * - The local gateway (local/gateway.ts) emulates API Gateway, and its own answer is AWS's, not our
 *   handler's: on `auth: 'jwt'` routes, `401 {"message":"Unauthorized"}` (`application/json`, with
 *   `WWW-Authenticate: Bearer`) when the JWT authorizer refuses the bearer token. The oracle accepts
 *   exactly this body, and only where the authorizer must answer. To reach the handlers' own
 *   validation, jwt routes are mostly fuzzed with the valid admin token.
 * - A request no route matches (path or method) goes to the handler as the `$default` route (on AWS
 *   as locally), which must answer 404 with the `not-found` problem (or a 404 page for a browser),
 *   never API Gateway's `{"message":"Not Found"}`.
 * - The handler answers every other request: 2xx, or a 4xx RFC 9457 problem (`application/problem+json`
 *   with `type`, `title`, `status` equal to the HTTP status, `detail`, `instance`), or an HTML page of
 *   the same status when the client ranks text/html first in Accept (people following emailed links).
 * - Never a 5xx, never a stack trace or runtime/SDK error text, and never silence (a request that
 *   gets no answer within {@link ANSWER_TIMEOUT_MS} is a failure).
 */
import { Agent, request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { MAX_BODY_BYTES } from '#http/body';
import { type RouteDefinition, routeKey, routes } from '#http/routes';
import { issuerOf } from '#local/cognito/tokens';
import { endpoints } from './stack.ts';

/** A request that gets no answer within this is a hang. */
export const ANSWER_TIMEOUT_MS = 30_000;

// ---- the context: tokens and the task types of the running stack ---------------------------------

/** One way of sending (or not sending) an Authorization header. */
export interface AuthVariant {
  readonly label: string;
  /** Header lines, in order (Node's server keeps only the first Authorization line). */
  readonly lines: readonly string[];
  /** Whether the gateway's JWT authorizer accepts it (a token signed by the local key, in date, for this audience). */
  readonly gatewayAccepts: boolean;
  /** The valid admin token: 2xx answers to it may carry operator diagnostics (see {@link leaksIn}). */
  readonly admin: boolean;
}

export interface FuzzContext {
  readonly api: string;
  readonly adminToken: string;
  readonly auth: Readonly<Record<'none' | 'admin' | 'member' | 'noSubject', AuthVariant>>;
  /** Headers the gateway refuses (expired, foreign key, unsigned, malformed, ...). */
  readonly refused: readonly AuthVariant[];
  /** Task types of the stack (GET /v1/task-types), and every field name of their input. */
  readonly taskTypes: readonly string[];
  readonly taskFields: readonly string[];
  /** Collection actions (`todos/archive-completed`), from GET /v1/actions: a valid call starts a task. */
  readonly collectionActions: readonly string[];
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Tokens for every case of the authorizer, signed with the local stack's key (or deliberately not). */
export async function fuzzContext(): Promise<FuzzContext> {
  const { api, adminToken } = endpoints();
  const pool = endpoints().cognito;
  const keyFile = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  const localKey = await importJWK((JSON.parse(readFileSync(keyFile, 'utf8')) as { jwk: JWK }).jwk, 'RS256');
  const foreign = await generateKeyPair('RS256', { extractable: true });
  /** An ID token as the local pool signs them (cognito-local's key, issuer and app client). */
  const sign = (claims: Record<string, unknown>, options: { key?: Parameters<SignJWT['sign']>[0]; issuer?: string; audience?: string; expires?: string } = {}) => {
    const jwt = new SignJWT({ ...claims, token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' })
      .setIssuer(options.issuer ?? issuerOf(pool))
      .setAudience(options.audience ?? pool.clientId)
      .setIssuedAt()
      .setExpirationTime(options.expires ?? '1h');
    return jwt.sign(options.key ?? localKey);
  };
  const admin = { sub: 'fuzz-admin', email: 'fuzz-admin@example.com', 'cognito:groups': ['admin'] };
  const [member, noSubject, expired, wrongAudience, wrongIssuer, foreignKey] = await Promise.all([
    sign({ sub: 'fuzz-member', email: 'fuzz-member@example.com', 'cognito:groups': ['member'] }),
    sign({ 'cognito:groups': ['admin'] }),
    sign(admin, { expires: '1h ago' }),
    sign(admin, { audience: 'someone-else' }),
    sign(admin, { issuer: 'https://evil.example/' }),
    sign(admin, { key: foreign.privateKey }),
  ]);
  const [header, , signature] = adminToken.split('.');
  const forgedPayload = b64({ sub: 'fuzz-admin', 'cognito:groups': ['admin'], iss: issuerOf(pool), aud: pool.clientId, token_use: 'id', exp: 4102444800 });
  const variant = (label: string, lines: string[], gatewayAccepts = false, isAdmin = false): AuthVariant => ({ label, lines, gatewayAccepts, admin: isAdmin });
  const taskTypes = JSON.parse(await (await fetch(`${api}/v1/task-types`)).text()) as { taskTypes: { name: string; inputSchema: { properties?: Record<string, unknown> } }[] };
  const actions = JSON.parse(await (await fetch(`${api}/v1/actions`)).text()) as { resources: { name: string; actions: { name: string; scope: string }[] }[] };
  return {
    api,
    adminToken,
    auth: {
      none: variant('none', []),
      admin: variant('admin', [`Bearer ${adminToken}`], true, true),
      member: variant('member', [`Bearer ${member}`], true),
      noSubject: variant('signed, no subject', [`Bearer ${noSubject}`], true),
    },
    refused: [
      variant('expired', [`Bearer ${expired}`]),
      variant('wrong audience', [`Bearer ${wrongAudience}`]),
      variant('wrong issuer', [`Bearer ${wrongIssuer}`]),
      variant('foreign key', [`Bearer ${foreignKey}`]),
      variant('alg none', [`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${forgedPayload}.`]),
      variant('forged payload', [`Bearer ${header}.${forgedPayload}.${signature}`]),
      variant('lower-case scheme', [`bearer ${adminToken}`]),
      variant('Basic', ['Basic ZnV6ejpmdXp6']),
      variant('scheme only', ['Bearer']),
      variant('empty token', ['Bearer  ']),
      variant('three dots', ['Bearer a.b.c']),
      variant('two tokens', [`Bearer ${adminToken}, Bearer ${adminToken}`]),
      variant('token and junk', [`Bearer ${adminToken} junk`]),
      variant('8 KB token', [`Bearer ${'A'.repeat(8000)}`]),
      variant('Latin-1', ['Bearer ÿþ\u00e9\u00e8.\u00e0.\u00e7']),
      variant('junk first, admin second', ['Bearer junk', `Bearer ${adminToken}`]),
    ],
    taskTypes: taskTypes.taskTypes.map((type) => type.name),
    taskFields: [...new Set(taskTypes.taskTypes.flatMap((type) => Object.keys(type.inputSchema.properties ?? {})))],
    collectionActions: actions.resources.flatMap((resource) => resource.actions.filter((action) => action.scope === 'collection').map((action) => `${resource.name}/${action.name}`)),
  };
}

// ---- encoding helpers -----------------------------------------------------------------------------

/**
 * Percent-encodes a string as WTF-8: lone surrogates become the three bytes `ED A0 80` etc. (not valid
 * UTF-8, unlike encodeURIComponent, which throws on them), so the server sees what a broken client sends.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    let code = unit;
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      code = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    const char = String.fromCodePoint(code);
    if (/^[A-Za-z0-9_.~-]$/.test(char)) {
      out += char;
      continue;
    }
    const bytes =
      code < 0x80
        ? [code]
        : code < 0x800
          ? [0xc0 | (code >> 6), 0x80 | (code & 0x3f)]
          : code < 0x10000
            ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
            : [0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
    out += bytes.map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** `[` x n `]` x n, or `{"a":` x n `1` `}` x n, built as text (JSON.stringify would overflow the stack). */
export const deepJson = (depth: number, kind: 'array' | 'object' = 'array') =>
  kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

// ---- value arbitraries ----------------------------------------------------------------------------

/**
 * Strings that break naive code. None of them contains a word the leak check looks for, because
 * handlers may echo input back in `detail` (e.g. "There is no task type ...").
 */
const WEIRD_STRINGS = [
  '', ' ', '\t', '\n', '\u0000', 'a\u0000b', 'null', 'true', '0', '-1', '1e400', '9'.repeat(400),
  '\ud800', '\udfff', 'a\ud800b', '\udc00\ud800', '\ud83d\ude00', '👩‍👩‍👧‍👦', '\u202eevil\u202c', 'שלום עולם', 'مرحبا', '\u200b', '\ufeff', '\uffff',
  'Z\u0351\u0350\u0315a\u0360l\u0334g\u0352o', '%', '%00', '%2F', '../', '..', '.', '/', '\\', '..\\..\\', '<script>alert(1)</script>', '"><img src=x>',
  "' OR '1'='1", '${jndi:ldap://x/a}', '{{7*7}}', '#{7*7}', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a'.repeat(300), 'b'.repeat(2100),
];

const weirdString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WEIRD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

const HUGE_NUMBERS = ['1e400', '-1e400', '1E+309', `1${'0'.repeat(400)}`, `0.${'0'.repeat(400)}1`, '123456789012345678901234567890', '-0', '9007199254740993', '1e-400', '4.9e-324'];

/** Raw JSON text for one value: weird strings, huge numbers, nesting, prototype keys, anything. */
const jsonValueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: weirdString.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE_NUMBERS) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('null', 'true', 'false', '[]', '{}', '0', '""', '{"constructor":{"prototype":{"polluted":true}}}', '{"__proto__":{"polluted":true}}', '[{"__proto__":{}}]'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 30 }).map((depth) => deepJson(depth)) },
);

/**
 * Each request mostly gets one thing wrong, so that validation reaches every check: a near-valid
 * baseline (JSON content type, a usable token, no Accept) with one or two fuzzed parts.
 */
const mostly = <T>(usual: fc.Arbitrary<T>, unusual: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: unusual });

const weirdKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'fuzz', 'type', 'data', 'id', '\u0000', '\ud800', '𝕏', 'a.b', 'a[0]', '$where'),
  fc.string({ unit: 'binary', maxLength: 10 }),
);

/**
 * `{...}` as text: each field (a raw JSON value) present four times in five, plus junk pairs (which
 * may repeat a key): none most of the time, so that validation gets past unknown fields to the values.
 */
const objectText = (fields: Record<string, fc.Arbitrary<string>>, junk: { min: number; max: number } = { min: 0, max: 2 }) =>
  fc
    .tuple(
      fc.tuple(...Object.entries(fields).map(([key, value]) => fc.option(value.map((text) => [key, text] as const), { freq: 5 }))),
      fc.oneof(
        ...(junk.min > 0 ? [] : [{ weight: 3, arbitrary: fc.constant([] as (readonly [string, string])[]) }]),
        { weight: 1, arbitrary: fc.array(fc.tuple(weirdKey, jsonValueText), { minLength: Math.max(1, junk.min), maxLength: junk.max }) },
      ),
    )
    .map(([known, extra]) => `{${[...known.filter((pair) => pair !== null), ...extra].map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`);

/** A field value: a near-valid string from `valid`, or anything. */
const field = (...valid: string[]) =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...valid).map((value) => JSON.stringify(value)) }, { weight: 2, arbitrary: jsonValueText });

const ulid = fc.ulid();
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const secret = fc.string({ unit: fc.constantFrom(...SECRET_ALPHABET), minLength: 43, maxLength: 43 });

// ---- bodies -----------------------------------------------------------------------------------------

export interface FuzzBody {
  readonly kind: string;
  /** Content-Type header lines; several are sent as duplicated headers (Node keeps the first). */
  readonly contentType: readonly string[];
  readonly bytes: Buffer | undefined;
}

const JSON_TYPES = mostly<readonly string[]>(
  fc.constant(['application/json']),
  fc.constantFrom(['application/json; charset=utf-8'], ['APPLICATION/JSON'], ['application/problem+json'], ['application/vnd.fuzz+json; version=2'], ['application/json;charset=latin1'], [], ['application/json', 'text/plain']),
);
const OTHER_TYPES: readonly (readonly string[])[] = [
  ['text/plain'], ['text/html'], ['application/xml'], ['multipart/form-data; boundary=fuzz'], ['application/octet-stream'], ['image/png'],
  ['application/jsonx'], ['json'], ['application/'], [';'], ['application/json-patch'], ['text/plain', 'application/json'],
];

/** Near-valid bodies per route: the fields it reads, with fuzzed values, plus junk. */
function shapedBody(key: string, context: FuzzContext): fc.Arbitrary<string> {
  const taskData = objectText(
    Object.fromEntries(
      context.taskFields.map((name) => [name, field(...(/email/i.test(name) ? ['fuzz@example.com', 'a@b', 'FUZZ@EXAMPLE.COM '] : ['apollo', 'small', 'member', '01J0000000000000000000000']))]),
    ),
    // Always one junk field: the task types' inputs are strict, so this data can never create a task.
    { min: 1, max: 2 },
  );
  const data = fc.oneof({ weight: 3, arbitrary: taskData }, { weight: 1, arbitrary: jsonValueText });
  switch (key) {
    case 'POST /v1/tasks':
      return objectText({ type: field(...context.taskTypes, 'no-such-type', 'SIGN-UP'), data });
    case 'PUT /v1/tasks/{id}':
      return objectText({ data });
    case 'POST /v1/tasks/{id}/reject':
    case 'POST /v1/tasks/{id}/cancel':
      return objectText({ reason: field('spam', ' ', 'x'.repeat(2001)) });
    case 'POST /v1/tasks/{id}/notes':
      return objectText({ note: field('looked at it', '  ', 'x'.repeat(4001)) });
    case 'POST /v1/approvals/{secret}':
      return objectText({ decision: field('approve', 'reject', 'APPROVE', 'maybe'), reason: field('fine', 'x'.repeat(2001)) });
    case 'POST /v1/tokens/{token}':
      return objectText({ password: field('correct horse battery', 'short', 'x'.repeat(1000)), confirm: field('yes', 'true'), email: field('fuzz@example.com') });
    case 'POST /v1/notifications/acknowledge':
      return objectText({ ids: fc.oneof(fc.array(fc.oneof(ulid, weirdString), { maxLength: 120 }).map((ids) => JSON.stringify(ids)), jsonValueText) });
    case 'POST /v1/todos':
      return objectText({ title: field('', '   ', 'x'.repeat(501)) });
    case 'POST /v1/{resource}/{id}/actions/{action}':
    case 'POST /v1/{resource}/actions/{action}':
      return objectText({ id: field('01J0000000000000000000000'), done: field('true') }, { min: 1, max: 2 });
    default:
      return objectText({}, { min: 0, max: 3 });
  }
}

const OVERSIZED = fc.integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES + 40_000 });

function bodyArbitrary(key: string, context: FuzzContext): fc.Arbitrary<FuzzBody> {
  const json = (kind: string, text: fc.Arbitrary<string>) =>
    fc.tuple(text, JSON_TYPES).map(([value, contentType]): FuzzBody => ({ kind, contentType, bytes: Buffer.from(value, 'utf8') }));
  const shaped = shapedBody(key, context);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant<FuzzBody>({ kind: 'none', contentType: [], bytes: undefined }) },
    { weight: 24, arbitrary: json('shaped', shaped) },
    { weight: 3, arbitrary: json('json value', fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value))) },
    { weight: 2, arbitrary: json('prototype keys', fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"data":{"__proto__":{"email":"fuzz@example.com"}}}', '[{"__proto__":null}]')) },
    {
      weight: 3,
      arbitrary: json(
        'invalid json',
        fc.oneof(
          fc.constantFrom('{', '}', '{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":Infinity}', '\ufeff{}', '{"a":"\\x41"}', '{"a":"\u0001"}', '[1,2', 'undefine', '{"a" 1}', '{"a":1}{"b":2}', '/* */{}', '0x10'),
          shaped.chain((text) => fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut))),
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: json(
        'deep',
        fc.tuple(fc.oneof(fc.constantFrom(31, 32, 33, 10_000), fc.integer({ min: 2, max: 10_000 })), fc.constantFrom<'array' | 'object'>('array', 'object'), fc.boolean()).map(([depth, kind, wrapped]) =>
          wrapped ? `{"type":"sign-up","data":{"email":${deepJson(depth, kind)}}}` : deepJson(depth, kind),
        ),
      ),
    },
    { weight: 2, arbitrary: json('huge numbers', fc.constantFrom(...HUGE_NUMBERS).map((n) => `{"type":${n},"data":{"size":${n}},"limit":${n},"ids":[${n}],"title":${n},"decision":${n}}`)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.uint8Array({ maxLength: 200 }), JSON_TYPES, fc.constantFrom(Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xff, 0xfe]), Buffer.alloc(0)))
        .map(([bytes, contentType, bad]): FuzzBody => ({ kind: 'raw bytes', contentType, bytes: Buffer.concat([Buffer.from('{"type":"'), bad, Buffer.from(bytes), Buffer.from('"}')]) })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.array(fc.tuple(weirdKey, weirdString), { maxLength: 6 }), fc.constantFrom(['application/x-www-form-urlencoded'], ['application/x-www-form-urlencoded; charset=utf-8']))
        .map(([pairs, contentType]): FuzzBody => ({ kind: 'form', contentType, bytes: Buffer.from(pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')) })),
    },
    { weight: 2, arbitrary: fc.tuple(fc.oneof(shaped, weirdString), fc.constantFrom(...OTHER_TYPES)).map(([text, contentType]): FuzzBody => ({ kind: 'wrong content type', contentType, bytes: Buffer.from(text, 'utf8') })) },
    { weight: 1, arbitrary: fc.tuple(OVERSIZED, JSON_TYPES).map(([size, contentType]): FuzzBody => ({ kind: 'oversized', contentType, bytes: Buffer.from(`"${'x'.repeat(size - 2)}"`) })) },
  );
}

// ---- paths and queries ------------------------------------------------------------------------------

/** Path segments as sent (already encoded): encoded slashes and dots, broken encodings, unicode. */
const RAW_SEGMENTS = [
  '%2F', 'a%2Fb', '%2F..%2F..%2Fetc%2Fpasswd', '%2e', '%2e%2e', '%2E%2E', '..', '.', '', '%00', 'a%00b', '%ED%A0%80', '%ED%BF%BF', '%C0%AF', '%FF', '%',
  '%zz', '%2', '%E2%80%AE', '%F0%9F%98%80', '%EF%BB%BF', '%E2%80%8B', '~', '%25', '%3F', '%23', 'a;b=c', '%20', '+', '%5C', 'con', 'nul', '*', '%2A',
];

function segmentArbitrary(name: string): fc.Arbitrary<string> {
  const own =
    name === 'secret' || name === 'token'
      ? secret
      : name === 'resource'
        ? fc.constantFrom('todos', 'todos', 'tasks', 'tokens', 'notifications', '__proto__', 'constructor', 'toString', 'TODOS', 'tod%6Fs')
        : name === 'action'
          ? fc.constantFrom('mark-done', 'archive-completed', 'approve', '__proto__', 'hasOwnProperty', 'Mark-Done', 'mark-done%00')
          : ulid;
  return fc.oneof(
    { weight: 5, arbitrary: own },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(percentEncode) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map(percentEncode) },
    // Long ids, about n bytes once encoded: over the 64 characters of ours, over DynamoDB's 2 KB keys.
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(27, 44, 64, 65, 2049, 3000), fc.constantFrom('A', '0', 'é', '%2F')).map(([n, c]) => (c === 'é' ? percentEncode(c.repeat(Math.ceil(n / 6))) : c === '%2F' ? c.repeat(Math.ceil(n / 3)) : c.repeat(n))) },
  );
}

const QUERY_KEYS: Record<string, readonly string[]> = {
  'GET /v1/tasks': ['status', 'type', 'requester', 'createdFrom', 'createdTo', 'limit', 'cursor'],
  'GET /v1/tokens': ['limit', 'cursor'],
  'GET /v1/notifications': ['acknowledged', 'limit', 'cursor'],
  'GET /v1/todos': ['limit'],
};

const TIMES = ['2026-01-01T00:00:00Z', '2026-11-23T10:00:00.123+14:00', '1999-12-31T23:59:59-12:00', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '2026-01-01', 'now', '1700000000'];

/**
 * A cursor is base64url of a DynamoDB key: anything else (not JSON, not an object, an object that is
 * not a key of the list's index) is refused with 400.
 */
const cursorValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...SECRET_ALPHABET), maxLength: 60 }),
  fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
  fc
    .dictionary(fc.constantFrom('pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'x'), fc.string({ maxLength: 40 }), { maxKeys: 6 })
    .map((key) => Buffer.from(JSON.stringify(key)).toString('base64url')),
  weirdString,
  fc.constant('A'.repeat(3000)),
);

const queryValue = (name: string): fc.Arbitrary<string> => {
  const pools: Record<string, fc.Arbitrary<string>> = {
    limit: fc.constantFrom('0', '1', '25', '100', '101', '-1', '1e2', '1e400', '0x10', ' 5', 'abc', '', '1.5', 'Infinity', '9'.repeat(400), '١٠'),
    status: fc.constantFrom('pending', 'approved', 'completed', 'expired', 'PENDING', 'nope', ''),
    acknowledged: fc.constantFrom('true', 'false', 'TRUE', '1', 'yes', ''),
    createdFrom: fc.constantFrom(...TIMES),
    createdTo: fc.constantFrom(...TIMES),
    cursor: cursorValue,
    type: fc.constantFrom('sign-up', 'x'.repeat(101), 'todos.mark-done'),
  };
  return fc.oneof({ weight: 3, arbitrary: pools[name] ?? weirdString }, { weight: 1, arbitrary: weirdString });
};

function queryArbitrary(key: string): fc.Arbitrary<string> {
  const known = QUERY_KEYS[key] ?? [];
  const pair = fc.oneof(
    ...(known.length ? [{ weight: 4, arbitrary: fc.constantFrom(...known).chain((name) => queryValue(name).map((value) => [name, value] as const)) }] : []),
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '', 'limit[]', 'a%00b', 'x'), weirdString) },
  );
  return fc
    .oneof({ weight: known.length ? 1 : 4, arbitrary: fc.constant([] as (readonly [string, string])[]) }, { weight: 3, arbitrary: fc.array(pair, { maxLength: 4 }) })
    .map((pairs) => (pairs.length ? `?${pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&')}` : ''));
}

// ---- headers ----------------------------------------------------------------------------------------

/** Accept headers with whether a browser page (not JSON) is expected for errors. */
const ACCEPTS: readonly (readonly [string | undefined, boolean])[] = [
  ['application/json', false], ['application/problem+json', false], ['*/*', false],
  ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true], ['text/html', true], ['application/json, text/html', false],
  ['text/html;q=0, application/json', false], ['text/html;q=0.1, application/json', false], ['text/html;q=0.9, application/json;q=0.5', true],
  ['', false], [' , ; ,', false], ['application/xml', false], ['image/png', false], ['text/*', false], ['application/json;q=0', false],
];

/** Header values Node will send: tab, printable ASCII and Latin-1. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(0x09)).map((code) => String.fromCharCode(code)), maxLength: 40 }),
  fc.constantFrom('', 'ÿÿÿ', '\u00e9t\u00e9', 'x'.repeat(4000)),
);

const IDEMPOTENCY_KEYS = ['', 'short', 'a'.repeat(256), 'with space inside', 'tab\tinside', 'caf\u00e9-key-123', "'; DROP TABLE tasks;--", '__proto__proto__', '........', 'x'.repeat(255)];

const idempotencyKey = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...IDEMPOTENCY_KEYS) },
  { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 8, maxLength: 64 }) },
  { weight: 1, arbitrary: headerValue },
);

const junkHeaders = fc.array(
  fc.tuple(fc.constantFrom('x-fuzz', '__proto__', 'constructor', 'hasOwnProperty', 'x-forwarded-for', 'cookie', 'x-amzn-trace-id', 'content-encoding', 'x-http-method-override', 'origin', 'range'), headerValue),
  { maxLength: 3 },
);

// ---- requests ---------------------------------------------------------------------------------------

export interface FuzzRequest {
  /** The route the generator aimed at (`unknown` for unknown paths); the gateway may route it elsewhere. */
  readonly aimedAt: string;
  readonly method: string;
  /** Path and query, encoded, as sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly auth: AuthVariant;
  readonly wantsHtml: boolean;
  readonly body: FuzzBody;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/**
 * Node's HTTP server answers a request line plus headers over 16 KB itself (431, no body), before the
 * gateway sees it; API Gateway has its own limit. Fuzzed requests stay under it.
 */
const MAX_HEAD_BYTES = 12_000;

const headSize = (request: FuzzRequest) =>
  request.path.length + Object.entries(request.headers).reduce((sum, [name, value]) => sum + [value].flat().reduce((lines, line) => lines + name.length + line.length + 4, 0), 0);

function authFor(route: RouteDefinition | undefined, context: FuzzContext): fc.Arbitrary<AuthVariant> {
  const { none, admin, member, noSubject } = context.auth;
  const refused = fc.constantFrom(...context.refused);
  const junk = headerValue.map((value): AuthVariant => ({ label: 'junk', lines: [value], gatewayAccepts: false, admin: false }));
  const padded: AuthVariant = { ...admin, label: 'admin, padded', lines: [`   Bearer ${context.adminToken}   `] };
  const adminFirst: AuthVariant = { ...admin, label: 'admin first, junk second', lines: [`Bearer ${context.adminToken}`, 'Bearer junk'] };
  if (route?.auth === 'jwt') {
    return fc.oneof(
      { weight: 16, arbitrary: fc.constant(admin) },
      { weight: 2, arbitrary: fc.constantFrom(member, noSubject, padded, adminFirst) },
      { weight: 2, arbitrary: fc.oneof(refused, fc.constant(none), junk) },
    );
  }
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(none) },
    { weight: 4, arbitrary: fc.constantFrom(admin, member, padded) },
    { weight: 1, arbitrary: fc.constant(noSubject) },
    { weight: 2, arbitrary: fc.oneof(refused, junk) },
  );
}

function buildRequest(parts: {
  aimedAt: string;
  method: string;
  path: string;
  auth: AuthVariant;
  accept: readonly [string | undefined, boolean];
  body: FuzzBody;
  idempotency: string | readonly string[] | undefined;
  junk: readonly (readonly [string, string])[];
}): FuzzRequest {
  // No prototype: a header named __proto__ is a header like any other.
  const headers = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of parts.junk) headers[name] = value;
  if (parts.accept[0] !== undefined) headers.accept = parts.accept[0];
  if (parts.auth.lines.length) headers.authorization = [...parts.auth.lines];
  if (parts.body.contentType.length) headers['content-type'] = [...parts.body.contentType];
  if (parts.idempotency !== undefined) headers['idempotency-key'] = typeof parts.idempotency === 'string' ? parts.idempotency : [...parts.idempotency];
  const request: FuzzRequest = { aimedAt: parts.aimedAt, method: parts.method, path: parts.path, headers, auth: parts.auth, wantsHtml: parts.accept[1], body: parts.body };
  // fast-check prints counterexamples with this: short and replayable, without the whole body.
  return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
}

/**
 * Requests aimed at one route: mostly its own method and template with fuzzed parameters, sometimes
 * another method or a path the gateway routes elsewhere. Never one that could change shared state
 * (see {@link mayChangeState}).
 */
export function requestArbitrary(route: RouteDefinition, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const key = routeKey(route);
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  const path = fc.tuple(fc.tuple(...names.map(segmentArbitrary)), queryArbitrary(key)).map(([values, query]) => {
    let index = 0;
    return `${route.path.replace(/\{\w+\}/g, () => values[index++] ?? '')}${query}`;
  });
  const method = fc.oneof({ weight: 9, arbitrary: fc.constant<string>(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) });
  const idempotency = key === 'POST /v1/tasks' ? fc.option(fc.oneof({ weight: 4, arbitrary: idempotencyKey }, { weight: 1, arbitrary: fc.tuple(idempotencyKey, idempotencyKey) }), { freq: 2 }) : fc.option(idempotencyKey, { freq: 10 });
  return fc
    .record({ method, path, auth: authFor(route, context), accept: mostly(fc.constant([undefined, false] as const), fc.constantFrom(...ACCEPTS)), body: bodyArbitrary(key, context), idempotency, junk: junkHeaders })
    .map((parts) => buildRequest({ ...parts, aimedAt: key, idempotency: parts.idempotency ?? undefined }))
    .filter((request) => headSize(request) <= MAX_HEAD_BYTES && !mayChangeState(request, context));
}

const UNKNOWN_PATHS = [
  '/', '/v1', '/v1/', '/v2/tasks', '/V1/TASKS', '/v1/task-types/', '/v1/tasks/', '/v1/nope', '/v1/tasks/x/y/z/w', '/v1/tasks%2Fx', '/local/nope', '/local/health/',
  '//v1/task-types', '/v1//tasks', '/v1/tasks/../task-types', '/v1/./task-types', '/v1/%2e%2e/v1/task-types', '/%', '/%ED%A0%80', '/.env', '/admin', '/docs/', '/v1/openapi.json/x',
];

/** Paths and methods no route serves (or that the gateway normalises onto one). */
export function unknownRequestArbitrary(context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const path = fc.oneof(
    fc.constantFrom(...UNKNOWN_PATHS),
    fc.array(fc.oneof(fc.constantFrom('v1', 'tasks', 'todos', 'actions', 'x'), fc.constantFrom(...RAW_SEGMENTS)), { minLength: 1, maxLength: 7 }).map((segments) => `/${segments.join('/')}`),
  );
  return fc
    .record({
      method: fc.constantFrom(...METHODS),
      path,
      auth: authFor(undefined, context),
      accept: mostly(fc.constant([undefined, false] as const), fc.constantFrom(...ACCEPTS)),
      body: bodyArbitrary('unknown', context),
      idempotency: fc.constant(undefined),
      junk: junkHeaders,
    })
    .map((parts) => buildRequest({ ...parts, aimedAt: 'unknown' }))
    .filter((request) => headSize(request) <= MAX_HEAD_BYTES && !mayChangeState(request, context));
}

// ---- the gateway's routing, as the oracle's model ---------------------------------------------------

const compiled = routes.map((route) => ({
  route: route as RouteDefinition,
  names: [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? ''),
  pattern: new RegExp(`^${route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '([^/]+)')}$`),
}));

/** The path as the gateway reads it: WHATWG URL rules (dot segments resolved), still percent-encoded. */
export const pathnameOf = (path: string) => new URL(`http://localhost${path}`).pathname;

const decodeParam = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** The route the gateway picks (first whose method and template match), with decoded parameters. */
export function targetOf(request: Pick<FuzzRequest, 'method' | 'path'>): { route: RouteDefinition; params: Record<string, string> } | undefined {
  const pathname = pathnameOf(request.path);
  for (const entry of compiled) {
    const match = entry.route.method === request.method ? entry.pattern.exec(pathname) : null;
    if (match) return { route: entry.route, params: Object.fromEntries(entry.names.map((name, index) => [name, decodeParam(match[index + 1] ?? '')])) };
  }
  return undefined;
}

/** The body as the handler could read it: JSON or a form, whichever parses (both tried, to be safe). */
function readings(body: FuzzBody): unknown[] {
  if (!body.bytes?.length) return [undefined];
  if (body.bytes.length > MAX_BODY_BYTES) return [];
  const text = body.bytes.toString('utf8');
  const values: unknown[] = [Object.fromEntries(new URLSearchParams(text))];
  try {
    values.push(JSON.parse(text));
  } catch {
    // not JSON
  }
  return values;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Whether a request could be a valid call that changes state other tests share: create a task or a
 * todo, or run a collection action. Such requests are never sent. Ids in paths are random ULIDs and
 * secrets random, so calls on tasks, links and notifications can only answer 404 (or list "unknown").
 */
export function mayChangeState(request: FuzzRequest, context: FuzzContext): boolean {
  const target = targetOf(request);
  if (!target) return false;
  const key = routeKey(target.route);
  return readings(request.body).some((value) => {
    if (key === 'POST /v1/tasks') {
      return isObject(value) && context.taskTypes.includes(String(value.type)) && isObject(value.data) && Object.keys(value.data).every((name) => context.taskFields.includes(name));
    }
    if (key === 'POST /v1/todos') return isObject(value) && typeof value.title === 'string' && value.title.trim() !== '';
    if (key === 'POST /v1/{resource}/actions/{action}') {
      const known = context.collectionActions.includes(`${target.params.resource}/${target.params.action}`);
      return known && (value === undefined || (isObject(value) && Object.keys(value).length === 0));
    }
    return false;
  });
}

// ---- sending ----------------------------------------------------------------------------------------

export interface FuzzResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** Set when there was no answer (timeout, reset). */
  readonly error?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Sends one request with Node's HTTP client (no URL normalisation, duplicated headers kept). */
export const send = (api: string, request: FuzzRequest): Promise<FuzzResponse> => sendRaw(api, request.method, request.path, request.headers, request.body.bytes);

/** One raw request: the path goes out exactly as given; an array header value is sent as several lines. */
export function sendRaw(api: string, method: string, path: string, headers: Readonly<Record<string, string | readonly string[]>> = {}, body?: Buffer | string): Promise<FuzzResponse> {
  const url = new URL(api);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return new Promise((resolve) => {
    const lines = Object.create(null) as Record<string, string | string[]>;
    for (const [name, value] of Object.entries(headers)) lines[name] = typeof value === 'string' ? value : [...value];
    if (bytes) lines['content-length'] = String(bytes.length);
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method, path, headers: lines, agent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') }));
      incoming.on('error', (error) => resolve({ status: 0, headers: {}, text: '', error: `response: ${error.message}` }));
    });
    outgoing.setTimeout(ANSWER_TIMEOUT_MS, () => outgoing.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
    outgoing.on('error', (error) => resolve({ status: 0, headers: {}, text: '', error: `request: ${error.message}` }));
    outgoing.end(bytes);
  });
}

// ---- the oracle -------------------------------------------------------------------------------------

/**
 * Text that must never reach a client: stack frames and source locations, runtime error names and
 * messages, AWS SDK and emulator errors. Chosen so no fuzzed input contains them (handlers echo input).
 */
export const LEAK_PATTERNS: readonly (readonly [string, RegExp])[] = [
  ['stack frame', /\bat (?:async )?(?:[\w$.<>[\]]+ )?\(?(?:\/|file:|node:)/],
  ['source location', /\.(?:[cm]?[jt]sx?|njk):\d+/],
  ['node_modules', /node_modules/],
  ['file URL', /file:\/\//],
  ['JS error name', /\b(?:Type|Range|Reference|Syntax|URI|Eval|Aggregate|Internal)Error\b/],
  ['"Error:" prefix', /\bError:/],
  ['exception', /Exception\b/],
  ['AWS SDK or emulator', /DynamoDB|\$metadata|@aws-sdk|aws-sdk|ConditionalCheck|ProvisionedThroughput|ResourceNotFound|StepFunctions|StartExecution|arn:aws:|s3rver|aws-local-stepfunctions/],
  ['runtime message', /Cannot read propert|is not a function|is not defined|is not iterable|Maximum call stack|Unexpected token|Unexpected end of JSON|in JSON at position|\[object Object\]/],
  // zod's own "expected string, received undefined" is a validation message, not a leak.
  ['"undefined"', /(?<!received )\bundefined\b/],
  ['network error', /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up/],
  ['gateway 500', /Internal Server Error/],
];

/** The leak patterns found in a text. */
export const leaksIn = (text: string): string[] => LEAK_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);

const GATEWAY = {
  /** API Gateway's answer to an unknown route when there is no `$default` route: never ours. */
  notFound: '{"message":"Not Found"}',
  unauthorized: '{"message":"Unauthorized"}',
} as const;

const NOT_FOUND_TYPE = 'https://assent.dev/problems/not-found';

const header = (response: FuzzResponse, name: string) => {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** Who must answer: the handler's `$default` route (no route matches), the JWT authorizer refusing, or the handler's route. */
export function expectedAnswerer(request: FuzzRequest): '$default 404' | 'gateway 401' | 'handler' {
  const target = targetOf(request);
  if (!target) return '$default 404';
  if (target.route.auth === 'jwt' && !request.auth.gatewayAccepts) return 'gateway 401';
  return 'handler';
}

/** Everything wrong with one answer; empty when it is acceptable. */
export function problemsWith(request: FuzzRequest, response: FuzzResponse): string[] {
  if (response.error) return [`no answer: ${response.error}`];
  const problems: string[] = [];
  const status = response.status;
  const contentType = header(response, 'content-type');
  if (status >= 500) problems.push(`status ${status} (a 5xx)`);
  const answerer = expectedAnswerer(request);
  // Operators' views (GET /v1/status, /v1/notifications, admin task views) show error causes on purpose.
  const adminData = status < 400 && request.auth.admin;
  if (!adminData) for (const leak of leaksIn(response.text)) problems.push(`leaks ${leak}`);
  if (answerer === 'gateway 401') {
    if (status !== 401 || response.text !== GATEWAY.unauthorized || contentType !== 'application/json') {
      problems.push(`expected the gateway 401 (${GATEWAY.unauthorized}), got ${status} ${contentType} ${response.text.slice(0, 120)}`);
    }
    if (header(response, 'www-authenticate') !== 'Bearer') problems.push('gateway 401 without WWW-Authenticate: Bearer');
    return problems;
  }
  if (response.text === GATEWAY.notFound || response.text === GATEWAY.unauthorized) {
    problems.push(`the gateway answered ${status} ${response.text}, but the handler should have`);
    return problems;
  }
  if (header(response, 'cache-control') !== 'no-store' || header(response, 'x-content-type-options') !== 'nosniff') problems.push('handler answer without the security headers');
  if (answerer === '$default 404') {
    if (status !== 404) problems.push(`no route matches, but the answer is ${status}, not the $default route's 404`);
    else if (!request.wantsHtml && !hasType(response.text, NOT_FOUND_TYPE)) problems.push(`no route matches, but the 404 is not the ${NOT_FOUND_TYPE} problem: ${response.text.slice(0, 120)}`);
  }
  if (status >= 200 && status < 300) {
    if (contentType === 'application/json') {
      if (!parses(response.text)) problems.push('2xx JSON that does not parse');
    } else if (contentType !== 'text/html; charset=utf-8') {
      problems.push(`2xx with content-type ${contentType}`);
    }
    return problems;
  }
  if (status < 400 || status >= 500) {
    if (status < 500) problems.push(`unexpected status ${status}`);
    return problems;
  }
  if (request.wantsHtml) {
    if (contentType !== 'text/html; charset=utf-8' || !response.text.startsWith('<!doctype html>')) problems.push(`${status} for a browser is not an HTML page: ${contentType}`);
    return problems;
  }
  if (contentType !== 'application/problem+json') problems.push(`${status} with content-type ${contentType}, not application/problem+json`);
  problems.push(...problemDocumentProblems(response.text, status, pathnameOf(request.path)));
  return problems;
}

const hasType = (text: string, type: string) => {
  try {
    return (JSON.parse(text) as { type?: unknown }).type === type;
  } catch {
    return false;
  }
};

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** RFC 9457: `type` (a URI), `title`, `status` (the HTTP status); ours also always have `detail` and `instance`. */
export function problemDocumentProblems(text: string, status: number, instance: string): string[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return [`problem body is not JSON: ${text.slice(0, 120)}`];
  }
  if (!isObject(document)) return ['problem body is not an object'];
  const problems: string[] = [];
  if (typeof document.type !== 'string' || !document.type.startsWith('https://assent.dev/problems/') || !URL.canParse(document.type)) problems.push(`problem type ${String(document.type)}`);
  if (typeof document.title !== 'string' || document.title === '') problems.push('problem without a title');
  if (document.status !== status) problems.push(`problem status ${String(document.status)} is not the HTTP status ${status}`);
  if (typeof document.detail !== 'string' || document.detail === '') problems.push('problem without a detail');
  if (document.instance !== instance) problems.push(`problem instance ${JSON.stringify(document.instance)} is not ${JSON.stringify(instance)}`);
  if (document.errors !== undefined) {
    const valid = Array.isArray(document.errors) && document.errors.every((error) => isObject(error) && typeof error.path === 'string' && typeof error.message === 'string');
    if (!valid) problems.push('problem errors[] is not a list of {path, message}');
  }
  return problems;
}

/** One line to replay a request by hand. */
export function describeRequest(request: FuzzRequest): string {
  const body = request.body.bytes;
  const shown = body === undefined ? 'no body' : body.length > 300 ? `${body.length} bytes: ${JSON.stringify(body.subarray(0, 120).toString('utf8'))}…` : JSON.stringify(body.toString('utf8'));
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${JSON.stringify(name === 'authorization' ? request.auth.label : value).slice(0, 100)}`)
    .join('; ');
  return `${request.method} ${request.path.length > 200 ? `${request.path.slice(0, 200)}…` : request.path} [${request.body.kind}] {${headers}} ${shown}`;
}

// ---- still serving --------------------------------------------------------------------------------

/** A health check and two known-good requests (public and admin); what is wrong with their answers. */
export async function stillServing(context: FuzzContext): Promise<string[]> {
  const get = (path: string, authorization?: string) =>
    send(context.api, buildRequest({ aimedAt: 'check', method: 'GET', path, auth: context.auth.none, accept: [undefined, false], body: { kind: 'none', contentType: [], bytes: undefined }, idempotency: undefined, junk: authorization ? [['authorization', authorization]] : [] }));
  const [health, taskTypes, status] = await Promise.all([get('/local/health'), get('/v1/task-types'), get('/v1/status', `Bearer ${context.adminToken}`)]);
  const problems: string[] = [];
  if (health.status !== 200 || health.text !== '{"status":"ok"}') problems.push(`health: ${health.status} ${health.error ?? health.text}`);
  if (taskTypes.status !== 200 || !parses(taskTypes.text) || !(JSON.parse(taskTypes.text) as { taskTypes?: unknown[] }).taskTypes?.length) problems.push(`GET /v1/task-types: ${taskTypes.status} ${taskTypes.error ?? ''}`);
  if (status.status !== 200 || !parses(status.text) || !isObject((JSON.parse(status.text) as { counts?: unknown }).counts)) problems.push(`GET /v1/status: ${status.status} ${status.error ?? ''}`);
  return problems;
}

/** Every route, as data: what the fuzzers iterate over. */
export const fuzzedRoutes: readonly RouteDefinition[] = routes;
