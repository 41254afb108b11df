import * as z from 'zod';
import { NotFoundError, ValidationError } from '#core/errors';
import { toFieldErrors } from '#core/registry';
import { SECRET_PATTERN } from '#core/secrets';
import { TaskIdSchema } from './schemas.ts';

/** Parses untrusted input with a schema; field errors become a 400 with paths under `prefix`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(toFieldErrors(result.error, prefix));
  return result.data;
}

export function taskIdParam(value: string | undefined): string {
  if (!value || !TaskIdSchema.safeParse(value).success) throw new NotFoundError(`There is no task ${value ?? ''}.`);
  return value;
}

/** Ids we issue (ULIDs) are short; a longer one cannot exist, and DynamoDB refuses keys over 2 KB with an error. */
export const ItemIdSchema = z.string().min(1).max(64);

/** A path id of a notification or a todo: one that cannot be ours is simply not found (no lookup needed). */
export function itemIdParam(value: string | undefined, notFound: string): string {
  if (!value || !ItemIdSchema.safeParse(value).success) throw new NotFoundError(notFound);
  return value;
}

/** A path secret that cannot be one of ours is simply not found (no lookup needed). */
export function secretParam(value: string | undefined): string {
  if (!value || !SECRET_PATTERN.test(value)) {
    throw new NotFoundError('This link is not valid. Check that it was copied whole, or ask for a new one.');
  }
  return value;
}

const IF_MATCH = /^\s*(?:W\/)?"(\d{1,15})"\s*$/;

/**
 * The version named by an `If-Match` header (`"3"`, the ETag of GET /v1/tasks/{id}); undefined when
 * absent or `*`. Anything else is refused, so a typo never turns into an unconditional write.
 */
export function ifMatchOf(headers: Readonly<Record<string, string>>): number | undefined {
  const value = headers['if-match'];
  if (value === undefined || value.trim() === '*') return undefined;
  const match = IF_MATCH.exec(value);
  if (!match) throw new ValidationError([{ path: 'headers.if-match', message: 'Use the ETag of GET /v1/tasks/{id}, e.g. "3"' }]);
  return Number(match[1]);
}
