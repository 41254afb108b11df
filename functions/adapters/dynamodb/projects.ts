import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DirectoryProject, DirectoryQuota } from '#ports/user-directory';
import { rethrowAws, sendConditional } from '../aws-errors.ts';
import { stripKeys } from './table.ts';

export interface DynamoDbProjectsOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** A user's membership, kept beside the identity provider's account: its project, and the address it moved from. */
export interface Membership {
  readonly projectId?: string;
  /** The address `changeEmail` moved the account from (how a retried move recognises itself). */
  readonly previousEmail?: string;
}

const projectKey = (id: string) => ({ pk: `PROJECT#${id}`, sk: 'PROJECT' });
const projectNameKey = (name: string) => ({ pk: `PROJECTNAME#${name}`, sk: 'PROJECTNAME' });
/** By the account's immutable id (Cognito's `sub`), so an address change keeps it. */
const membershipKey = (accountId: string) => ({ pk: `MEMBER#${accountId}`, sk: 'MEMBER' });

const withoutKeys = <T>(item: Record<string, unknown>): T => stripKeys(item) as T;

/**
 * Projects (an item each, plus a name claim that keeps names unique and finds a project by name)
 * and memberships, in the one table. The identity provider holds the accounts themselves.
 */
export class DynamoDbProjects {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoDbProjectsOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async findProjectByName(name: string): Promise<DirectoryProject | undefined> {
    const claim = await this.get(projectNameKey(name), 'Reading a project name');
    return claim ? this.getProject(String(claim.projectId)) : undefined;
  }

  async getProject(id: string): Promise<DirectoryProject | undefined> {
    const item = await this.get(projectKey(id), 'Reading a project');
    return item && withoutKeys<DirectoryProject>(item);
  }

  /**
   * The name claim, then the project: two plain conditional puts (a transaction would bill each item
   * twice). A crash between them leaves a claim naming this id, which a retry recognises as its
   * own; a project id already taken by another name releases the claim again.
   */
  async createProject(project: DirectoryProject): Promise<boolean> {
    if (await this.getProject(project.id)) return false;
    const claimed = await sendConditional(
      () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...projectNameKey(project.name), projectId: project.id },
            ConditionExpression: 'attribute_not_exists(pk) OR projectId = :id',
            ExpressionAttributeValues: { ':id': project.id },
          }),
        ),
      'Claiming a project name',
    );
    if (!claimed) return false;
    const created = await sendConditional(
      () => this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...projectKey(project.id), ...project }, ConditionExpression: 'attribute_not_exists(pk)' })),
      'Creating a project',
    );
    // The id is another project's (created in between): this claim is not to stay.
    if (!created) await this.releaseName(project);
    return created;
  }

  /** The name claim (only while it still names this project), then the project: each conditional on being there. */
  async deleteProject(project: Pick<DirectoryProject, 'id' | 'name'>): Promise<boolean> {
    const name = await this.releaseName(project);
    const item = await this.deleteIf(projectKey(project.id), 'attribute_exists(pk)', {}, 'Deleting a project');
    return name || item;
  }

  setQuota(projectId: string, quota: DirectoryQuota): Promise<boolean> {
    return sendConditional(
      () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: projectKey(projectId),
            UpdateExpression: 'SET quota = :quota',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':quota': quota },
          }),
        ),
      'Setting a quota',
    );
  }

  async membership(accountId: string): Promise<Membership> {
    const item = await this.get(membershipKey(accountId), 'Reading a membership');
    return item ? withoutKeys<Membership>(item) : {};
  }

  /** Puts the account on `projectId` unless it is on another one; false when it is. */
  joinProject(accountId: string, projectId: string): Promise<boolean> {
    return sendConditional(
      () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: membershipKey(accountId),
            UpdateExpression: 'SET projectId = :project',
            ConditionExpression: 'attribute_not_exists(projectId) OR projectId = :project',
            ExpressionAttributeValues: { ':project': projectId },
          }),
        ),
      'Joining a project',
    );
  }

  /** Records the address the account moves from, before it moves (so a retry of the move knows it). */
  async notePreviousEmail(accountId: string, previousEmail: string): Promise<void> {
    await this.send(
      () =>
        this.client.send(
          new UpdateCommand({ TableName: this.tableName, Key: membershipKey(accountId), UpdateExpression: 'SET previousEmail = :previous', ExpressionAttributeValues: { ':previous': previousEmail } }),
        ),
      'Recording an address change',
    );
  }

  async leave(accountId: string): Promise<void> {
    await this.send(() => this.client.send(new DeleteCommand({ TableName: this.tableName, Key: membershipKey(accountId) })), 'Removing a membership');
  }

  private releaseName(project: Pick<DirectoryProject, 'id' | 'name'>): Promise<boolean> {
    return this.deleteIf(projectNameKey(project.name), 'projectId = :id', { ':id': project.id }, 'Releasing a project name');
  }

  private deleteIf(key: { pk: string; sk: string }, condition: string, values: Record<string, unknown>, what: string): Promise<boolean> {
    return sendConditional(
      () =>
        this.client.send(
          new DeleteCommand({ TableName: this.tableName, Key: key, ConditionExpression: condition, ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}) }),
        ),
      what,
    );
  }

  private async get(key: { pk: string; sk: string }, what: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.send(() => this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })), what);
    return Item;
  }

  private async send<T>(send: () => Promise<T>, what: string): Promise<T> {
    try {
      return await send();
    } catch (error) {
      rethrowAws(error, what);
    }
  }
}
