import { createHash } from 'node:crypto';
import type { IdempotentAnswer, IdempotentRequest } from '#ports/idempotency';
import type { Context } from './context.ts';
import { canonicalJson } from './duplicates.ts';

/**
 * Runs `create` once per key through the Idempotency port (ports/idempotency.ts): a repeat with the
 * same body gets the first answer (`replayed`), another body is refused, a repeat while the first is
 * running is told to retry. `create` gets the id of the key and body (`idFor`), so a retry after a
 * request that died finds what the first one created, if anything, instead of creating it twice.
 * Only the HTTP function's core has the port; elsewhere this is a programming error.
 */
export async function idempotent(ctx: Context, request: IdempotentRequest, create: (id: string) => Promise<IdempotentAnswer>): Promise<IdempotentAnswer & { replayed: boolean }> {
  const idempotency = ctx.deps.idempotency;
  if (!idempotency) throw new Error('This function\'s core has no Idempotency port: only the HTTP function takes an Idempotency-Key (functions/http/handler.ts gives it one).');
  return idempotency.run(request, () => create(idFor(request.key, request.body)));
}

/** Crockford's base32, the alphabet of task ids. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The task id a key and body reserve: 26 characters of a SHA-256 of both, in the shape of a ULID
 * (the first character at most `7`), so every run of the same request creates or finds the same task.
 * Unlike a ULID it does not tell when the task was created (ids are opaque; `createdAt` does).
 */
export function idFor(key: string, body: unknown): string {
  const digest = createHash('sha256').update(`${key}\n${canonicalJson(body)}`).digest();
  let bits = 0n;
  // 128 bits: 3 for the first character, 5 for each of the other 25.
  for (const byte of digest.subarray(0, 16)) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let index = 0; index < 26; index++) {
    id = ALPHABET[Number(bits & 31n)] + id;
    bits >>= 5n;
  }
  return id;
}
