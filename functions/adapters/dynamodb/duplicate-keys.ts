import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DuplicateKeyStore } from '#ports/duplicate-keys';
import { keys, SingleTable, type SingleTableOptions } from './table.ts';

export type DynamoDbDuplicateKeysOptions = SingleTableOptions;

/** Duplicate keys: `DEDUP#<key>` / `DEDUP` holding the id of the task that claimed it. */
export class DynamoDbDuplicateKeys implements DuplicateKeyStore {
  private readonly table: SingleTable;

  constructor(options: DynamoDbDuplicateKeysOptions) {
    this.table = new SingleTable(options);
  }

  async holder(key: string): Promise<string | undefined> {
    const item = await this.table.get(keys.duplicate(key), 'Reading a duplicate key');
    return typeof item?.taskId === 'string' ? item.taskId : undefined;
  }

  claim(key: string, taskId: string, expected: string | undefined): Promise<boolean> {
    return this.table.conditional(
      () =>
        this.table.client.send(
          new PutCommand({
            TableName: this.table.name,
            Item: { ...keys.duplicate(key), taskId },
            ...(expected === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'taskId = :expected', ExpressionAttributeValues: { ':expected': expected } }),
          }),
        ),
      'Claiming a duplicate key',
    );
  }
}
