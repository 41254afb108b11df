import fc from 'fast-check';
import { BadRequestError, type FieldError, ValidationError } from '#core/errors';
import { parseBody } from '#http/body';
import type { HttpEvent } from '#http/http-types';
import { toErrorResponse } from '#http/middleware';
import { SECURITY_HEADERS } from '#http/responses';

const event = (body: string): HttpEvent => ({ rawPath: '/v1/tasks/T1/reject', headers: {}, body }) as HttpEvent;
const VALUE = 'Not valid Unicode: it holds an unpaired surrogate (such as "\\ud800"); send well-formed text.';
const KEY = 'This field name is not valid Unicode: it holds an unpaired surrogate (such as "\\ud800"); send well-formed text.';

/** What parseBody threw, or undefined when it answered. */
function thrownBy(body: string, contentType = 'application/json'): unknown {
  try {
    parseBody(event(body), contentType);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('parseBody and unpaired surrogates', () => {
  it.each([
    ['a string field (a reject reason)', '{"reason":"spam \\ud800"}', [{ path: 'reason', message: VALUE }]],
    ['a string field ending in a low surrogate', '{"reason":"a\\udc00"}', [{ path: 'reason', message: VALUE }]],
    ['a string field with a low surrogate before a high one (both unpaired)', '{"reason":"\\udc00\\ud800"}', [{ path: 'reason', message: VALUE }]],
    ['a nested field', '{"type":"sign-up","data":{"email":"x@example.com","projectName":"\\ud800"}}', [{ path: 'data.projectName', message: VALUE }]],
    ['an array item', '{"ids":["01J","\\udbff"]}', [{ path: 'ids.1', message: VALUE }]],
    ['a field name (shown with U+FFFD)', '{"data":{"a\\ud800":1}}', [{ path: 'data.a\ufffd', message: KEY }]],
    ['the whole body', '"\\ud800"', [{ path: '(body)', message: VALUE }]],
    [
      'several fields, in document order',
      '{"decision":"reject","reason":"\\ud800","data":{"x":["\\udc00"]},"\\ud800":true}',
      [
        { path: '\ufffd', message: KEY },
        { path: 'reason', message: VALUE },
        { path: 'data.x.0', message: VALUE },
      ],
    ],
  ])('refuses one in %s with 400 and the field paths', (_name, body, errors) => {
    // Act
    const error = thrownBy(body);

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, type: 'validation-failed', message: 'Some fields are not valid Unicode text; see errors[] for each one.' });
    expect((error as ValidationError).errors).toStrictEqual(errors);
  });

  it('answers the refusal as a problem document naming the field', () => {
    // Act
    const response = toErrorResponse(thrownBy('{"reason":"\\ud800"}'), event(''));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 400,
      headers: { 'content-type': 'application/problem+json', ...SECURITY_HEADERS },
      body: JSON.stringify({
        type: 'https://assent.dev/problems/validation-failed',
        title: 'The request is not valid',
        status: 400,
        detail: 'Some fields are not valid Unicode text; see errors[] for each one.',
        instance: '/v1/tasks/T1/reject',
        errors: [{ path: 'reason', message: VALUE }],
      }),
    });
  });

  it('accepts surrogate pairs, written as escapes or as UTF-8', () => {
    // Act & Assess
    expect(parseBody(event('{"reason":"\\ud83d\\ude00 and 😀 and \\u202e"}'), 'application/json')).toStrictEqual({ reason: '😀 and 😀 and \u202e' });
  });

  it('reads bytes that are not UTF-8 in a form (%ED%A0%80, which would encode \\ud800) as U+FFFD, so a form carries none', () => {
    // Act & Assess
    expect(parseBody(event('reason=%ED%A0%80&%ED%B0%80=1'), 'application/x-www-form-urlencoded')).toStrictEqual({ reason: '\ufffd\ufffd\ufffd', '\ufffd\ufffd\ufffd': '1' });
  });

  it('refuses exactly the JSON bodies that hold an unpaired surrogate, naming each field (fuzzed)', () => {
    // Prepare: the oracle, recursive (the fuzzed values are shallow).
    const lone = /\p{Surrogate}/u;
    const shown = (segment: string) => segment.replace(/\p{Surrogate}/gu, '\ufffd');
    const expected = (value: unknown, path: string[] = []): FieldError[] => {
      const here = path.map(shown).join('.') || '(body)';
      if (typeof value === 'string') return lone.test(value) ? [{ path: here, message: VALUE }] : [];
      if (value === null || typeof value !== 'object') return [];
      const entries = Object.entries(value);
      return [
        ...entries.filter(([key]) => lone.test(key)).map(([key]) => ({ path: [...path, key].map(shown).join('.'), message: KEY })),
        ...entries.flatMap(([key, child]) => expected(child, [...path, key])),
      ];
    };

    // fast-check's 'binary' unit never yields a lone surrogate: mix some in (about one char in six).
    const unit = fc.oneof(
      { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
    );
    let refused = 0;

    // Act & Assess
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3, stringUnit: unit }), (value) => {
        const text = JSON.stringify(value);
        const error = thrownBy(text);
        const errors = expected(JSON.parse(text));
        if (error instanceof BadRequestError) return text.includes('"__proto__"');
        if (errors.length === 0) return error === undefined;
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors).toStrictEqual(errors);
        refused += 1;
        return true;
      }),
      { numRuns: 2000 },
    );
    // Both outcomes were exercised.
    expect(refused).toBeGreaterThan(200);
    expect(refused).toBeLessThan(1800);
  });
});
