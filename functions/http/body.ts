import { BadRequestError, type FieldError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '#core/errors';
import type { HttpEvent } from './http-types.ts';

/** Bodies larger than this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * JSON nested deeper than this is refused with 400. No request needs more than a few levels, and
 * recursive code downstream (the idempotency fingerprint, DynamoDB's 32-level limit) fails on deep values.
 */
export const MAX_JSON_DEPTH = 32;

/** A UTF-16 surrogate without its other half (with `u`, a whole pair never matches). */
const LONE_SURROGATE = /\p{Surrogate}/u;
const NOT_UNICODE = 'Not valid Unicode: it holds an unpaired surrogate (such as "\\ud800"); send well-formed text.';
const KEY_NOT_UNICODE = 'This field name is not valid Unicode: it holds an unpaired surrogate (such as "\\ud800"); send well-formed text.';

/** A field path as FieldError has it (`data.email`, `ids.3`); lone surrogates in it shown as U+FFFD. */
const pathOf = (segments: readonly string[]) => segments.map((segment) => segment.replace(/\p{Surrogate}/gu, '\ufffd')).join('.') || '(body)';

/**
 * Refuses JSON that is nested too deeply or has a `__proto__` key anywhere: JSON.parse makes it an
 * own property, but copying the object (as zod's records do) makes it the copy's prototype, so its
 * fields would pass for the object's own yet be left out of fingerprints. Iterative: no stack to overflow.
 * Answers the fields (strings and names) that hold an unpaired surrogate, in document order: JSON's
 * `\ud800` escape makes one, which no UTF-8 encoder can carry on (the SDK's query serializer, which
 * SES uses, throws on it), so it is refused here rather than failing downstream.
 */
function checkJson(value: unknown): FieldError[] {
  const unpaired: FieldError[] = [];
  const pending: { value: unknown; depth: number; path: readonly string[] }[] = [{ value, depth: 1, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value === 'string') {
      if (LONE_SURROGATE.test(next.value)) unpaired.push({ path: pathOf(next.path), message: NOT_UNICODE });
      continue;
    }
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > MAX_JSON_DEPTH) throw new BadRequestError(`The body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
    if (Object.hasOwn(next.value, '__proto__')) throw new BadRequestError('The body has a "__proto__" key, which is not allowed.');
    const entries = Object.entries(next.value);
    for (const [key] of entries) {
      if (LONE_SURROGATE.test(key)) unpaired.push({ path: pathOf([...next.path, key]), message: KEY_NOT_UNICODE });
    }
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index] as [string, unknown];
      pending.push({ value: child, depth: next.depth + 1, path: [...next.path, key] });
    }
  }
  return unpaired;
}

/** Throws a 400 naming every field with an unpaired surrogate. */
function refuseUnpaired(errors: readonly FieldError[]): void {
  if (errors.length > 0) throw new ValidationError(errors, 'Some fields are not valid Unicode text; see errors[] for each one.');
}

/**
 * Parses a JSON or form body; 400 for bad JSON or text that is not valid Unicode (with the field
 * paths), 413 for too large, 415 for other media types.
 */
export function parseBody(event: HttpEvent, contentType: string | undefined): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body is ${raw.byteLength} bytes; the limit is ${MAX_BODY_BYTES}.`);
  }
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.toString('utf8');
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BadRequestError('The body is not valid JSON.');
    }
    refuseUnpaired(checkJson(parsed));
    return parsed;
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    // Percent-decoding reads bytes that are not UTF-8 (`%ED%A0%80`) as U+FFFD, so a form carries no
    // unpaired surrogate today; checked anyway, so that no body of either kind ever does.
    const form = Object.fromEntries(new URLSearchParams(text));
    refuseUnpaired(
      Object.entries(form).flatMap(([key, value]) => [
        ...(LONE_SURROGATE.test(key) ? [{ path: pathOf([key]), message: KEY_NOT_UNICODE }] : []),
        ...(LONE_SURROGATE.test(value) ? [{ path: pathOf([key]), message: NOT_UNICODE }] : []),
      ]),
    );
    return form;
  }
  throw new UnsupportedMediaTypeError(
    mediaType === '' ? 'Send a Content-Type header: application/json or application/x-www-form-urlencoded.' : `Content type "${mediaType}" is not supported; send application/json or application/x-www-form-urlencoded.`,
  );
}

/**
 * True when the client ranks text/html above any JSON type in Accept (a browser): by quality, then by
 * order. `q=0` means "not this" (RFC 9110), so `text/html;q=0` never asks for HTML.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranked = accept.split(',').map((part, index) => {
    const [type = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { type, quality: Number.isFinite(quality) ? quality : 0, index };
  });
  const best = (matches: (type: string) => boolean) =>
    ranked.filter((entry) => entry.quality > 0 && matches(entry.type)).sort((a, b) => b.quality - a.quality || a.index - b.index)[0];
  const html = best((type) => type === 'text/html');
  const json = best((type) => type === 'application/json' || type.endsWith('+json'));
  return html !== undefined && (json === undefined || html.quality > json.quality || (html.quality === json.quality && html.index < json.index));
}
