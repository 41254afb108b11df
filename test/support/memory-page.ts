import { BadRequestError } from '#core/errors';
import type { Page } from '#ports/task-store';

const REFUSED = 'The cursor is not one this API returned; start again without it.';

/** Where a list reads, like a DynamoDB index partition and sort key range (`to` inclusive). */
export interface MemoryListQuery {
  readonly partition: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
}

const encode = (partition: string, key: string) => Buffer.from(JSON.stringify({ p: partition, k: key })).toString('base64url');

function decode(cursor: string, query: MemoryListQuery): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown; k?: unknown };
    const inRange = (key: string) => (query.from === undefined || key >= query.from) && (query.to === undefined || key <= `${query.to}~`);
    // DynamoDB refuses a start key of another partition or outside the key condition: so does this.
    if (parsed.p === query.partition && typeof parsed.k === 'string' && inRange(parsed.k)) return parsed.k;
  } catch {
    // refused below
  }
  throw new BadRequestError(REFUSED);
}

/**
 * One page of `entries` (each with its index sort key `<createdAt>#<id>`), newest first, as the
 * DynamoDB adapters page: `limit` items after the cursor's key, and a cursor only if more follow.
 */
export function memoryPage<T>(entries: readonly { readonly key: string; readonly item: T }[], query: MemoryListQuery): Page<T> {
  if (!Number.isInteger(query.limit) || query.limit < 1) throw new RangeError(`limit must be a positive integer, not ${query.limit}.`);
  const after = query.cursor === undefined ? undefined : decode(query.cursor, query);
  const sorted = entries
    .filter(({ key }) => (query.from === undefined || key >= query.from) && (query.to === undefined || key <= `${query.to}~`))
    .filter(({ key }) => after === undefined || key < after)
    .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const page = sorted.slice(0, query.limit);
  const last = page[page.length - 1];
  return sorted.length > query.limit && last ? { items: page.map(({ item }) => item), cursor: encode(query.partition, last.key) } : { items: page.map(({ item }) => item) };
}
