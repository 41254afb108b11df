import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '#core/errors';
import type { HttpEvent } from './http-types.ts';

/** Bodies larger than this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

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
    try {
      return JSON.parse(text);
    } catch {
      throw new BadRequestError('The body is not valid JSON.');
    }
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  throw new UnsupportedMediaTypeError(
    mediaType === '' ? 'Send a Content-Type header: application/json or application/x-www-form-urlencoded.' : `Content type "${mediaType}" is not supported; send application/json or application/x-www-form-urlencoded.`,
  );
}

/** True when the client lists text/html before any JSON type in Accept (a browser). */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '');
  const htmlIndex = types.indexOf('text/html');
  const jsonIndex = types.findIndex((type) => type === 'application/json' || type.endsWith('+json'));
  return htmlIndex !== -1 && (jsonIndex === -1 || htmlIndex < jsonIndex);
}
