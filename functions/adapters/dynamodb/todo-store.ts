import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Todo, TodoStore } from '#ports/todo-store';
import { isConditionalCheckFailure, rethrowAws } from '../aws-errors.ts';

const key = (id: string) => ({ pk: `TODO#${id}`, sk: 'TODO' });
const KEYS = new Set(['pk', 'sk', 'gsi3pk', 'gsi3sk']);
const toTodo = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([name]) => !KEYS.has(name))) as unknown as Todo;

/** Todos in the single table; listed through the byCreated index (`gsi3pk = TODOS`). */
export class DynamoDbTodoStore implements TodoStore {
  constructor(private readonly options: { readonly client: DynamoDBDocumentClient; readonly tableName: string }) {}

  async create(todo: Todo): Promise<void> {
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...key(todo.id), ...todo, gsi3pk: 'TODOS', gsi3sk: `${todo.createdAt}#${todo.id}` },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      rethrowAws(error, 'Creating a todo');
    }
  }

  async get(id: string): Promise<Todo | undefined> {
    try {
      const { Item } = await this.options.client.send(new GetCommand({ TableName: this.options.tableName, Key: key(id), ConsistentRead: true }));
      return Item ? toTodo(Item) : undefined;
    } catch (error) {
      rethrowAws(error, 'Reading a todo');
    }
  }

  async list(limit: number): Promise<Todo[]> {
    try {
      const { Items = [] } = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: 'byCreated',
          KeyConditionExpression: 'gsi3pk = :pk',
          FilterExpression: 'archived = :false',
          ExpressionAttributeValues: { ':pk': 'TODOS', ':false': false },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return Items.map(toTodo);
    } catch (error) {
      rethrowAws(error, 'Listing todos');
    }
  }

  async markDone(id: string, at: string): Promise<Todo | undefined> {
    try {
      const { Attributes } = await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: key(id),
          UpdateExpression: 'SET done = :true, doneAt = if_not_exists(doneAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true, ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toTodo(Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return undefined;
      rethrowAws(error, 'Marking a todo done');
    }
  }

  async archiveDone(): Promise<string[]> {
    const archived: string[] = [];
    try {
      let startKey: Record<string, unknown> | undefined;
      do {
        const result = await this.options.client.send(
          new QueryCommand({
            TableName: this.options.tableName,
            IndexName: 'byCreated',
            KeyConditionExpression: 'gsi3pk = :pk',
            FilterExpression: 'done = :true AND archived = :false',
            ExpressionAttributeValues: { ':pk': 'TODOS', ':true': true, ':false': false },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of result.Items ?? []) {
          await this.options.client.send(
            new UpdateCommand({ TableName: this.options.tableName, Key: key(String(item.id)), UpdateExpression: 'SET archived = :true', ExpressionAttributeValues: { ':true': true } }),
          );
          archived.push(String(item.id));
        }
        startKey = result.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      rethrowAws(error, 'Archiving todos');
    }
    return archived;
  }
}
