import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '#core/errors';
import type { HttpEvent } from './http-types.ts';

/** Bodies larger than this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * JSON nested deeper than this is refused with 400. No request needs more than a few levels, and
 * recursive code downstream (the idempotency fingerprint, DynamoDB's 32-level limit) fails on deep values.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Refuses JSON that is nested too deeply or has a `__proto__` key anywhere: JSON.parse makes it an
 * own property, but copying the object (as zod's records do) makes it the copy's prototype, so its
 * fields would pass for the object's own yet be left out of fingerprints. Iterative: no stack to overflow.
 */
function checkJson(value: unknown): void {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > MAX_JSON_DEPTH) throw new BadRequestError(`The body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
    if (Object.hasOwn(next.value, '__proto__')) throw new BadRequestError('The body has a "__proto__" key, which is not allowed.');
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
}

/** Parses a JSON or form body; 400 for bad JSON, 413 for too large, 415 for other media types. */
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
    checkJson(parsed);
    return parsed;
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
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
