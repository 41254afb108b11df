import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '#core/errors';
import type { Task } from '#core/task';
import type { Page, TaskQuery, TaskScopePart } from '#ports/task-store';
import { CURSOR_REFUSED, decodeCursor, encodeCursor, INDEXES, type Item, keys, type SingleTable } from './table.ts';

/**
 * The byScope index (lib/table-definition.ts): one entry per task, under its project once it has
 * one, else under its requester. Listing a caller's scope queries one partition per part of it and
 * merges them newest first.
 */
const index = INDEXES.byScope;
const projectKey = (projectId: string) => `PROJECT#${projectId}`;
const requesterKey = (sub: string) => `REQUESTER#${sub}`;

/** The byScope partition key of a task; undefined for an anonymous task of no project (it has no entry). */
export function scopeKeyOf(task: Pick<Task, 'projectId' | 'createdBy'>): string | undefined {
  if (task.projectId !== undefined) return projectKey(task.projectId);
  return task.createdBy ? requesterKey(task.createdBy.sub) : undefined;
}

/** The byScope partition key a task gets when it is given a project. */
export const projectScopeKey = projectKey;

/** The cursor of a scoped list: the sort key (`<createdAt>#<id>`) the next page starts below. */
const encodeScopedCursor = (before: string) => encodeCursor({ before });
function decodeScopedCursor(cursor: string): string {
  const decoded = decodeCursor(cursor);
  const before = decoded.before;
  if (Object.keys(decoded).length !== 1 || typeof before !== 'string' || before.lastIndexOf('#') < 1) throw new BadRequestError(CURSOR_REFUSED);
  return before;
}

/**
 * A list's key condition on an index: its partition, and the creation range on the sort key
 * (`<createdAt>#<id>`; `createdTo` inclusive). The names and values go on with the list's filters.
 */
export function creationRange(query: TaskQuery, on: { partitionKey: string; sortKey: string }, partition: string) {
  const names: Record<string, string> = { '#pk': on.partitionKey };
  const values: Record<string, unknown> = { ':pk': partition };
  let keyCondition = '#pk = :pk';
  if (query.createdFrom || query.createdTo) names['#sk'] = on.sortKey;
  if (query.createdFrom && query.createdTo) {
    keyCondition += ' AND #sk BETWEEN :from AND :to';
    Object.assign(values, { ':from': query.createdFrom, ':to': `${query.createdTo}~` });
  } else if (query.createdFrom) {
    keyCondition += ' AND #sk >= :from';
    values[':from'] = query.createdFrom;
  } else if (query.createdTo) {
    keyCondition += ' AND #sk <= :to';
    values[':to'] = `${query.createdTo}~`;
  }
  return { names, values, keyCondition };
}

/** One part's query: its partition, the creation range on the sort key (`createdTo` inclusive), and the filters on what the index holds. */
function partInput(table: SingleTable, part: TaskScopePart, query: TaskQuery): QueryCommandInput {
  const { names, values, keyCondition } = creationRange(query, index, part.project === undefined ? requesterKey(part.requester) : projectKey(part.project));
  const filters: string[] = [];
  if (query.type) {
    filters.push('#type = :type');
    names['#type'] = 'type';
    values[':type'] = query.type;
  }
  // A project part for one requester, or the caller's `requester` filter: `createdBy.sub` (projected).
  const requesters = [...new Set([part.project === undefined ? undefined : part.requester, query.requester].filter((sub): sub is string => sub !== undefined))];
  requesters.forEach((sub, position) => {
    filters.push(`createdBy.#sub = :requester${position}`);
    names['#sub'] = 'sub';
    values[`:requester${position}`] = sub;
  });
  return {
    TableName: table.name,
    IndexName: index.name,
    ScanIndexForward: false,
    KeyConditionExpression: keyCondition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
  };
}

/** Where a part's page starts: just below `before`, as the start key of the task that sorts there. */
const startBelow = (part: TaskScopePart, before: string) =>
  encodeCursor({
    ...keys.task(before.slice(before.lastIndexOf('#') + 1)),
    [index.partitionKey]: part.project === undefined ? requesterKey(part.requester) : projectKey(part.project),
    [index.sortKey]: before,
  });

/**
 * One page of the tasks in `query.scope`, newest first across its parts. Each part is queried for a
 * page of its own (its partition, the filters: `status` on the full items, which the index does not
 * hold); the page answered is the newest `limit` of what every part has read down to: below the
 * newest point a part stopped at with more to come, another part's items wait for the next page, so
 * none is skipped. The cursor is the sort key the next page starts below.
 */
export async function listScoped(table: SingleTable, query: TaskQuery & { readonly scope: readonly TaskScopePart[] }): Promise<Page<Item>> {
  if (!Number.isInteger(query.limit) || query.limit < 1) throw new RangeError(`Listing tasks: limit must be a positive integer, not ${query.limit}.`);
  const before = query.cursor === undefined ? undefined : decodeScopedCursor(query.cursor);
  const parts = [...new Map(query.scope.map((part) => [JSON.stringify([part.project ?? null, part.requester ?? null]), part])).values()];
  const status = query.status;
  const pages = await Promise.all(
    parts.map((part) =>
      table.queryPage({
        input: partInput(table, part, query),
        index,
        limit: query.limit,
        ...(before === undefined ? {} : { cursor: startBelow(part, before) }),
        ...(status === undefined ? {} : { keep: (item: Item) => item.status === status }),
        what: 'Listing tasks',
      }),
    ),
  );
  const sortKeyOf = (item: Item) => String(item[index.sortKey]);
  // The newest point a part stopped at with more to come: everything at or above it is known.
  const frontier = pages
    .flatMap((page) => (page.cursor === undefined ? [] : [String(decodeCursor(page.cursor)[index.sortKey])]))
    .reduce<string | undefined>((newest, key) => (newest === undefined || key > newest ? key : newest), undefined);
  const known = pages
    .flatMap((page) => page.items)
    .filter((item) => frontier === undefined || sortKeyOf(item) >= frontier)
    .sort((a, b) => (sortKeyOf(a) < sortKeyOf(b) ? 1 : -1));
  const items = known.slice(0, query.limit);
  const last = items.at(-1);
  if (known.length > query.limit && last) return { items, cursor: encodeScopedCursor(sortKeyOf(last)) };
  return frontier === undefined ? { items } : { items, cursor: encodeScopedCursor(frontier) };
}
