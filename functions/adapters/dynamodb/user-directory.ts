import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '#core/errors';
import type {
  ChangeEmailResult,
  DeleteUserResult,
  DirectoryProject,
  DirectoryQuota,
  DirectoryUser,
  GrantRolesResult,
  UserDirectory,
} from '#ports/user-directory';
import { hashPassword } from '#core/passwords';
import { awsErrorName, rethrowAws, sendConditional } from '../aws-errors.ts';
import { DynamoDbProjects } from './projects.ts';

export interface DynamoDbUserDirectoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * Items: a user under its address; a project under its id; and a name claim per project, which keeps
 * names unique and finds a project by name.
 */
const userKey = (email: string) => ({ pk: `USER#${email.toLowerCase()}`, sk: 'USER' });

/** Optional user attributes: "unchanged" also means "still absent" for these. */
const OPTIONAL_USER_ATTRIBUTES = ['projectId', 'passwordHash', 'previousEmail'] as const;

/** How many times a read-modify-write is retried when another writer changed the item in between. */
const MAX_ATTEMPTS = 10;


/** The cancellation code of each item of a cancelled transaction, in order (`None` when it was fine). */
const cancellationCodes = (error: unknown): string[] | undefined =>
  awsErrorName(error) === 'TransactionCanceledException' || (error as Error)?.name === 'TransactionCanceledException'
    ? ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((reason) => reason.Code ?? 'None')
    : undefined;

/** A user item as stored: the port's user, with its password's scrypt hash instead of `hasPassword`. */
type StoredUser = Omit<DirectoryUser, 'hasPassword'> & { readonly passwordHash?: string };

const withoutKeys = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
};

/**
 * A condition that holds only while the user item is exactly as read: each attribute equal, each
 * optional attribute it lacked still absent.
 */
function unchangedCondition(user: StoredUser) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses = ['attribute_exists(pk)'];
  Object.entries(user).forEach(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    clauses.push(`#a${index} = :a${index}`);
  });
  OPTIONAL_USER_ATTRIBUTES.filter((name) => !(name in user)).forEach((name, index) => {
    names[`#o${index}`] = name;
    clauses.push(`attribute_not_exists(#o${index})`);
  });
  return { ConditionExpression: clauses.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/** The example app's user directory, in the same table. Creates are conditional, so retries are safe. */
export class DynamoDbUserDirectory implements UserDirectory {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  /** Projects and their name claims: the same items the Cognito directory keeps beside its pool. */
  private readonly projects: DynamoDbProjects;

  constructor(options: DynamoDbUserDirectoryOptions) {
    this.projects = new DynamoDbProjects(options);
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async findUser(email: string): Promise<DirectoryUser | undefined> {
    const item = await this.get(userKey(email), 'Reading a user');
    if (!item) return undefined;
    const { passwordHash, ...user } = withoutKeys<StoredUser>(item);
    return passwordHash === undefined ? user : { ...user, hasPassword: true };
  }

  async createUser(user: DirectoryUser): Promise<boolean> {
    const { hasPassword: _none, ...stored } = user;
    return this.putIfAbsent({ ...userKey(user.email), ...stored, email: user.email.toLowerCase() }, 'Creating a user');
  }

  async setPassword(email: string, password: string): Promise<void> {
    await this.update(email, 'SET passwordHash = :hash', { ':hash': await hashPassword(password) });
  }

  async activateUser(email: string, password: string): Promise<void> {
    await this.update(email, 'SET passwordHash = :hash, enabled = :true', { ':hash': await hashPassword(password), ':true': true });
  }

  findProjectByName(name: string): Promise<DirectoryProject | undefined> {
    return this.projects.findProjectByName(name);
  }

  createProject(project: DirectoryProject): Promise<boolean> {
    return this.projects.createProject(project);
  }

  getProject(id: string): Promise<DirectoryProject | undefined> {
    return this.projects.getProject(id);
  }

  /**
   * Read, merge, write on condition that the roles and project are still what was read; another
   * writer in between means read again.
   */
  async grantRoles(email: string, projectId: string, roles: readonly string[]): Promise<GrantRolesResult> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const user = await this.findUser(email);
      if (!user) return 'not-found';
      if (user.projectId !== undefined && user.projectId !== projectId) return 'other-project';
      const merged = [...user.roles, ...roles.filter((role) => !user.roles.includes(role))];
      if (user.projectId === projectId && merged.length === user.roles.length) return 'unchanged';
      const granted = await sendConditional(
        () =>
          this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: userKey(email),
              UpdateExpression: 'SET #roles = :roles, projectId = :project',
              ConditionExpression: 'attribute_exists(pk) AND #roles = :read AND (attribute_not_exists(projectId) OR projectId = :project)',
              ExpressionAttributeNames: { '#roles': 'roles' },
              ExpressionAttributeValues: { ':roles': merged, ':read': user.roles, ':project': projectId },
            }),
          ),
        'Granting roles',
      );
      if (granted) return 'granted';
    }
    throw new TransientError(`Granting roles: the user ${email} kept changing; try again.`);
  }

  /**
   * One transaction: put the record under the new address (only if the address is free) and delete
   * the old one (only if it is unchanged since it was read). A retry after success finds the old
   * address gone and the new record naming it as `previousEmail`.
   */
  async changeEmail(oldEmail: string, newEmail: string): Promise<ChangeEmailResult> {
    const from = oldEmail.toLowerCase();
    const to = newEmail.toLowerCase();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const item = await this.get(userKey(from), 'Reading a user');
      const user = item && withoutKeys<StoredUser>(item);
      if (!user) return (await this.findUser(to))?.previousEmail === from ? 'already-changed' : 'not-found';
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...userKey(to), ...user, email: to, previousEmail: from },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Delete: { TableName: this.tableName, Key: userKey(from), ...unchangedCondition(user) } },
            ],
          }),
        );
        return 'changed';
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes === undefined) rethrowAws(error, 'Changing an email address');
        if (codes[0] === 'ConditionalCheckFailed') {
          return (await this.findUser(to))?.previousEmail === from ? 'already-changed' : 'taken';
        }
        // The old record changed in between, or a concurrent transaction conflicted: read again.
      }
    }
    throw new TransientError(`Changing an email address: the user ${from} kept changing; try again.`);
  }

  setQuota(projectId: string, quota: DirectoryQuota): Promise<boolean> {
    return this.projects.setQuota(projectId, quota);
  }

  async deleteDisabledUser(email: string, projectId: string): Promise<DeleteUserResult> {
    const deleted = await sendConditional(
      () =>
        this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: userKey(email),
            ConditionExpression: 'attribute_exists(pk) AND enabled = :false AND projectId = :project',
            ExpressionAttributeValues: { ':false': false, ':project': projectId },
          }),
        ),
      'Deleting a user',
    );
    if (deleted) return 'deleted';
    return (await this.findUser(email)) ? 'kept' : 'absent';
  }

  deleteProject(project: Pick<DirectoryProject, 'id' | 'name'>): Promise<boolean> {
    return this.projects.deleteProject(project);
  }



  private async get(key: { pk: string; sk: string }, what: string): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return Item;
    } catch (error) {
      rethrowAws(error, what);
    }
  }

  private putIfAbsent(item: Record<string, unknown>, what: string): Promise<boolean> {
    return sendConditional(() => this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })), what);
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
