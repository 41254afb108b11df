import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Todo, TodoSchema, type TodoStore } from '#ports/todo-store';
import { INDEXES, type Item, keys, SingleTable, stripKeys } from './table.ts';

const toTodo = (item: Item): Todo => TodoSchema.parse(stripKeys(item));
const listInput = (tableName: string) => ({
  TableName: tableName,
  IndexName: INDEXES.byCreated.name,
  KeyConditionExpression: 'gsi3pk = :pk',
  ExpressionAttributeValues: { ':pk': 'TODOS' },
  ScanIndexForward: false,
});

/**
 * Todos in the single table; listed through the byCreated index (`gsi3pk = TODOS`), which holds
 * only keys: `done` and `archived` are read from the items.
 */
export class DynamoDbTodoStore implements TodoStore {
  private readonly table: SingleTable;

  constructor(options: { readonly client: SingleTable['client']; readonly tableName: string }) {
    this.table = new SingleTable(options);
  }

  async create(todo: Todo): Promise<void> {
    await this.table.send(
      () =>
        this.table.client.send(
          new PutCommand({
            TableName: this.table.name,
            Item: { ...keys.todo(todo.id), ...todo, gsi3pk: 'TODOS', gsi3sk: `${todo.createdAt}#${todo.id}` },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      'Creating a todo',
    );
  }

  async get(id: string): Promise<Todo | undefined> {
    const item = await this.table.get(keys.todo(id), 'Reading a todo');
    return item ? toTodo(item) : undefined;
  }

  async list(limit: number): Promise<Todo[]> {
    const page = await this.table.queryPage({
      input: listInput(this.table.name),
      index: INDEXES.byCreated,
      limit,
      keep: (item) => item.archived === false,
      what: 'Listing todos',
    });
    return page.items.map(toTodo);
  }

  async markDone(id: string, at: string): Promise<Todo | undefined> {
    const outcome = await this.table.update(
      {
        TableName: this.table.name,
        Key: keys.todo(id),
        UpdateExpression: 'SET done = :true, doneAt = if_not_exists(doneAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':at': at },
      },
      'Marking a todo done',
    );
    return outcome.applied ? toTodo(outcome.item) : undefined;
  }

  async archiveDone(): Promise<string[]> {
    const archived: string[] = [];
    for await (const entries of this.table.pages(listInput(this.table.name), 'Archiving todos')) {
      const items = await this.table.getMany(entries.map((entry) => ({ pk: String(entry.pk), sk: String(entry.sk) })), 'Archiving todos');
      for (const item of items.filter((candidate) => candidate.done === true && candidate.archived === false)) {
        await this.table.send(
          () =>
            this.table.client.send(
              new UpdateCommand({ TableName: this.table.name, Key: keys.todo(String(item.id)), UpdateExpression: 'SET archived = :true', ExpressionAttributeValues: { ':true': true } }),
            ),
          'Archiving todos',
        );
        archived.push(String(item.id));
      }
    }
    return archived;
  }
}
