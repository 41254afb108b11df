import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DirectoryProject, DirectoryUser, UserDirectory } from '#ports/user-directory';
import { rethrowAws } from '../aws-errors.ts';

export interface DynamoDbUserDirectoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

const userKey = (email: string) => ({ pk: `USER#${email.toLowerCase()}`, sk: 'USER' });
const projectKey = (name: string) => ({ pk: `PROJECT#${name}`, sk: 'PROJECT' });
const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException';

/** The example app's user directory, in the same table. Creates are conditional, so retries are safe. */
export class DynamoDbUserDirectory implements UserDirectory {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoDbUserDirectoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async findUser(email: string): Promise<DirectoryUser | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: userKey(email), ConsistentRead: true }));
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, ...user } = Item;
      return user as DirectoryUser;
    } catch (error) {
      rethrowAws(error, 'Reading a user');
    }
  }

  async createUser(user: DirectoryUser): Promise<boolean> {
    return this.putIfAbsent({ ...userKey(user.email), ...user, email: user.email.toLowerCase() }, 'Creating a user');
  }

  async setPassword(email: string, passwordHash: string): Promise<void> {
    await this.update(email, 'SET passwordHash = :hash', { ':hash': passwordHash });
  }

  async enableUser(email: string): Promise<void> {
    await this.update(email, 'SET enabled = :true', { ':true': true });
  }

  async findProjectByName(name: string): Promise<DirectoryProject | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: projectKey(name), ConsistentRead: true }));
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, ...project } = Item;
      return project as DirectoryProject;
    } catch (error) {
      rethrowAws(error, 'Reading a project');
    }
  }

  async createProject(project: DirectoryProject): Promise<boolean> {
    return this.putIfAbsent({ ...projectKey(project.name), ...project }, 'Creating a project');
  }

  private async putIfAbsent(item: Record<string, unknown>, what: string): Promise<boolean> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      rethrowAws(error, what);
    }
  }

  private async update(email: string, expression: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userKey(email),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      rethrowAws(error, 'Updating a user');
    }
  }
}
