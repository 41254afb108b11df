import { randomBytes } from 'node:crypto';
import type { JsonValue } from './records.ts';

/** Random bytes per token: base64url makes it ~340 characters, opaque and long like AWS's. */
const TOKEN_BYTES = 256;

/** A fresh opaque task token (base64url, unguessable). */
export function mintTaskToken(): string {
  return `AQ${randomBytes(TOKEN_BYTES).toString('base64url')}`;
}

/** A copy of `value` with every occurrence of `placeholder` (whole strings and substrings) replaced by `token`. */
export function replacePlaceholder(value: JsonValue, placeholder: string, token: string): JsonValue {
  if (typeof value === 'string') return value.split(placeholder).join(token);
  if (Array.isArray(value)) return value.map((item) => replacePlaceholder(item, placeholder, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replacePlaceholder(item, placeholder, token)]));
  }
  return value;
}
