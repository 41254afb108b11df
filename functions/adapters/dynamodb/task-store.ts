import { PutCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { type Task, TaskSchema, type TaskStatus, TaskStatusSchema } from '#core/task';
import type { Page, TaskQuery, TaskStore, TaskUpdate, UpdateResult } from '#ports/task-store';
import { INDEXES, type Item, keys, SingleTable, type SingleTableOptions, stripKeys } from './table.ts';
import { creationRange, listScoped, scopeKeyOf } from './task-scope.ts';
import { taskUpdateExpression } from './task-update-expression.ts';

export type DynamoDbTaskStoreOptions = SingleTableOptions;

const sortKey = (task: Task) => `${task.createdAt}#${task.id}`;
const taskItem = (task: Task): Item => {
  const scope = scopeKeyOf(task);
  return {
    ...keys.task(task.id),
    ...task,
    gsi1pk: `STATUS#${task.status}`,
    gsi1sk: sortKey(task),
    gsi2pk: `TYPE#${task.type}`,
    gsi2sk: sortKey(task),
    gsi3pk: 'TASKS',
    gsi3sk: sortKey(task),
    // Sparse: an anonymous task of no project (a sign-up, until its project exists) has no scope entry, and costs no write there.
    ...(scope === undefined ? {} : { gsi4pk: scope }),
  };
};
const toTask = (item: Item): Task => TaskSchema.parse(stripKeys(item));

/**
 * Tasks in the single table: `TASK#<id>` / `TASK`, listed by status (byStatus), type (byType) or
 * creation (byCreated), and, for callers who are not admins, by scope (byScope: task-scope.ts).
 * Every write is one conditional request.
 */
export class DynamoDbTaskStore implements TaskStore {
  private readonly table: SingleTable;

  constructor(options: DynamoDbTaskStoreOptions) {
    this.table = new SingleTable(options);
  }

  async get(id: string): Promise<Task | undefined> {
    const item = await this.table.get(keys.task(id), 'Reading a task');
    return item ? toTask(item) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<Task[]> {
    return (await this.table.getMany(ids.map(keys.task), 'Reading tasks')).map(toTask);
  }

  create(task: Task): Promise<boolean> {
    return this.table.conditional(
      () => this.table.client.send(new PutCommand({ TableName: this.table.name, Item: taskItem(task), ConditionExpression: 'attribute_not_exists(pk)' })),
      'Creating a task',
    );
  }

  async update(id: string, update: TaskUpdate): Promise<UpdateResult> {
    const outcome = await this.table.update(
      { TableName: this.table.name, Key: keys.task(id), ...taskUpdateExpression(update, this.table.liveCondition()) },
      'Updating a task',
    );
    if (outcome.applied) return { applied: true, task: toTask(outcome.item) };
    return { applied: false, task: outcome.item ? toTask(outcome.item) : undefined };
  }

  async list(query: TaskQuery): Promise<Page<Task>> {
    if (query.scope !== undefined) {
      const scoped = await listScoped(this.table, { ...query, scope: query.scope });
      return { items: scoped.items.map(toTask), ...(scoped.cursor ? { cursor: scoped.cursor } : {}) };
    }
    const index = query.status ? INDEXES.byStatus : query.type ? INDEXES.byType : INDEXES.byCreated;
    const partition = query.status ? `STATUS#${query.status}` : query.type ? `TYPE#${query.type}` : 'TASKS';
    const page = await this.table.queryPage({
      input: { TableName: this.table.name, IndexName: index.name, ScanIndexForward: false, ...listExpression(query, index, partition) },
      index,
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.awaiting === undefined ? {} : { keep: awaitingAnyOf(query.awaiting) }),
      what: 'Listing tasks',
    });
    return { items: page.items.map(toTask), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  async countByStatus(): Promise<Record<TaskStatus, number>> {
    const counts = await Promise.all(
      TaskStatusSchema.options.map(
        async (status) =>
          [
            status,
            await this.table.count(
              {
                TableName: this.table.name,
                IndexName: INDEXES.byStatus.name,
                KeyConditionExpression: 'gsi1pk = :pk',
                ExpressionAttributeValues: { ':pk': `STATUS#${status}` },
              },
              'Counting tasks',
            ),
          ] as const,
      ),
    );
    return Object.fromEntries(counts) as Record<TaskStatus, number>;
  }
}

/**
 * The inbox's filter, on the full items the list reads anyway: `awaiting` changes with every vote,
 * so no index keeps it (an index write per vote). An empty list matches nothing.
 */
const awaitingAnyOf =
  (keys: readonly string[]) =>
  (item: Record<string, unknown>): boolean =>
    Array.isArray(item.awaiting) && keys.some((key) => (item.awaiting as unknown[]).includes(key));

/**
 * The key condition (the creation range on the sort key, `createdTo` inclusive) and the filters of
 * a list, on attributes the indexes hold (`type`, `createdBy`).
 */
function listExpression(query: TaskQuery, index: { partitionKey: string; sortKey: string }, partition: string): Partial<QueryCommandInput> {
  const { names, values, keyCondition } = creationRange(query, index, partition);
  const filters: string[] = [];
  if (query.status && query.type) {
    filters.push('#type = :type');
    names['#type'] = 'type';
    values[':type'] = query.type;
  }
  if (query.requester) {
    filters.push('createdBy.#sub = :requester');
    names['#sub'] = 'sub';
    values[':requester'] = query.requester;
  }
  return {
    KeyConditionExpression: keyCondition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
  };
}
