import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  type AdminGetUserCommandOutput,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersInGroupCommand,
  type ListUsersInGroupCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { ValidationError } from '#core/errors';
import type {
  ChangeEmailResult,
  DeleteUserResult,
  DirectoryAccount,
  DirectoryProject,
  DirectoryQuota,
  DirectoryUser,
  GrantRolesResult,
  RevokeRolesResult,
  UserDirectory,
} from '#ports/user-directory';
import { awsErrorName, rethrowAws } from '../aws-errors.ts';
import type { DynamoDbProjects } from '../dynamodb/projects.ts';

export interface CognitoUserDirectoryOptions {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  /** Projects and memberships, which stay in DynamoDB. */
  readonly projects: DynamoDbProjects;
}

/** An account as the pool holds it: its username (Cognito's id for it, the `sub`), its `sub` attribute and the port's view. */
interface Account {
  readonly username: string;
  readonly sub: string;
  readonly user: DirectoryUser;
}

/** A group member: the port's view, and the username its membership is kept by. */
interface Member extends DirectoryAccount {
  readonly username: string;
}

const attribute = (attributes: readonly AttributeType[] | undefined, name: string) => attributes?.find((entry) => entry.Name === name)?.Value;

/** The most users ListUsersInGroup answers in one page. */
const GROUP_PAGE_SIZE = 60;
/** How many memberships are read at once when a group is narrowed to a project. */
const MEMBERSHIP_READS_AT_ONCE = 10;

/**
 * The user directory on an Amazon Cognito user pool (email as the username attribute): accounts,
 * passwords, enabled state and roles (groups) in the pool; projects and memberships in DynamoDB
 * (`DynamoDbProjects`). Addresses are lowercased: Cognito compares them as given. Each call is
 * idempotent so a retried stage changes nothing twice; account creation is several calls, so the
 * actions that create accounts grant their roles again afterwards (`grantRoles` is idempotent).
 */
export class CognitoUserDirectory implements UserDirectory {
  private readonly client: CognitoIdentityProviderClient;
  private readonly userPoolId: string;
  private readonly projects: DynamoDbProjects;

  constructor(options: CognitoUserDirectoryOptions) {
    this.client = options.client;
    this.userPoolId = options.userPoolId;
    this.projects = options.projects;
  }

  async findUser(email: string): Promise<DirectoryUser | undefined> {
    return (await this.account(email))?.user;
  }

  /**
   * The membership of the account: kept by its username, which is its `sub` in a pool with email
   * as the username (the pool the stack and local mode create): no call to the pool.
   */
  async projectOfAccount(accountId: string): Promise<string | undefined> {
    return (await this.projects.membership(accountId)).projectId;
  }

  /**
   * AdminGetUser by the `sub` (the username in a pool with email as the username), kept only when
   * its `sub` attribute is that: AdminGetUser also finds an account by its address (an alias).
   */
  async findAccount(sub: string): Promise<(DirectoryUser & { sub: string }) | undefined> {
    if (sub === '') return undefined;
    const account = await this.account(sub);
    return account?.sub === sub ? { ...account.user, sub } : undefined;
  }

  async usersInGroup(group: string): Promise<DirectoryAccount[]> {
    return (await this.groupMembers(group)).map(({ sub, email }) => ({ sub, email }));
  }

  /** The group's enabled members, then their memberships (a few reads at a time), kept when on `projectId`. */
  async projectMembersWithRole(projectId: string, role: string): Promise<DirectoryAccount[]> {
    const members = await this.groupMembers(role);
    const found: DirectoryAccount[] = [];
    for (let start = 0; start < members.length; start += MEMBERSHIP_READS_AT_ONCE) {
      const batch = members.slice(start, start + MEMBERSHIP_READS_AT_ONCE);
      const memberships = await Promise.all(batch.map((member) => this.projects.membership(member.username)));
      batch.forEach(({ sub, email }, index) => {
        if (memberships[index]?.projectId === projectId) found.push({ sub, email });
      });
    }
    return found;
  }

  /** AdminCreateUser with the invitation suppressed (Assent sends its own emails), then its state, groups and project. */
  async createUser(user: DirectoryUser): Promise<boolean> {
    const email = user.email.toLowerCase();
    let username: string;
    try {
      const created = await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      username = created.User?.Username ?? email;
    } catch (error) {
      if (awsErrorName(error) === 'UsernameExistsException') return false;
      rethrowAws(error, 'Creating a user');
    }
    if (!user.enabled) await this.call(() => this.client.send(new AdminDisableUserCommand({ UserPoolId: this.userPoolId, Username: username })), 'Disabling a user');
    await this.addToGroups(username, user.roles);
    if (user.projectId !== undefined) await this.projects.joinProject(username, user.projectId);
    return true;
  }

  async setPassword(email: string, password: string): Promise<void> {
    try {
      await this.client.send(new AdminSetUserPasswordCommand({ UserPoolId: this.userPoolId, Username: email.toLowerCase(), Password: password, Permanent: true }));
    } catch (error) {
      // The pool's password policy (lib/constructs/identity.ts keeps it to Assent's: 12 characters or more).
      if (awsErrorName(error) === 'InvalidPasswordException') throw new ValidationError([{ path: 'password', message: (error as Error).message }]);
      rethrowAws(error, 'Setting a password');
    }
  }

  async activateUser(email: string, password: string): Promise<void> {
    await this.setPassword(email, password);
    await this.call(() => this.client.send(new AdminEnableUserCommand({ UserPoolId: this.userPoolId, Username: email.toLowerCase() })), 'Enabling a user');
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

  setQuota(projectId: string, quota: DirectoryQuota): Promise<boolean> {
    return this.projects.setQuota(projectId, quota);
  }

  deleteProject(project: Pick<DirectoryProject, 'id' | 'name'>): Promise<boolean> {
    return this.projects.deleteProject(project);
  }

  /** The membership first (refused for another project), then the groups the user lacks. */
  async grantRoles(email: string, projectId: string, roles: readonly string[]): Promise<GrantRolesResult> {
    const account = await this.account(email);
    if (!account) return 'not-found';
    const { user, username } = account;
    if (user.projectId !== undefined && user.projectId !== projectId) return 'other-project';
    const missing = roles.filter((role) => !user.roles.includes(role));
    if (user.projectId === projectId && missing.length === 0) return 'unchanged';
    if (!(await this.projects.joinProject(username, projectId))) return 'other-project';
    await this.addToGroups(username, missing);
    return 'granted';
  }

  /** AdminRemoveUserFromGroup for each of `roles` the user is in; the membership stays. */
  async revokeRoles(email: string, projectId: string, roles: readonly string[]): Promise<RevokeRolesResult> {
    const account = await this.account(email);
    if (!account) return 'not-found';
    const { user, username } = account;
    if (user.projectId !== undefined && user.projectId !== projectId) return 'other-project';
    const present = roles.filter((role) => user.roles.includes(role));
    if (present.length === 0) return 'unchanged';
    await this.removeFromGroups(username, present);
    return 'revoked';
  }

  /**
   * Notes the old address on the membership, then changes the pool's `email` (verified: the user
   * proved it through the token sent there). A retry after success finds the old address gone and
   * the account at the new one naming it; another account at the new address is `taken`.
   */
  async changeEmail(oldEmail: string, newEmail: string): Promise<ChangeEmailResult> {
    const [from, to] = [oldEmail.toLowerCase(), newEmail.toLowerCase()];
    const [source, target] = await Promise.all([this.account(from), this.account(to)]);
    if (!source) return target?.user.previousEmail === from ? 'already-changed' : 'not-found';
    if (target) return 'taken';
    await this.projects.notePreviousEmail(source.username, from);
    try {
      await this.client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: this.userPoolId,
          Username: source.username,
          UserAttributes: [
            { Name: 'email', Value: to },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'AliasExistsException' || awsErrorName(error) === 'UsernameExistsException') return 'taken';
      rethrowAws(error, 'Changing an email address');
    }
    return 'changed';
  }

  async deleteUnusedUser(email: string, projectId: string): Promise<DeleteUserResult> {
    const account = await this.account(email);
    if (!account) return 'absent';
    const { user } = account;
    if ((user.enabled && user.hasPassword) || (user.projectId ?? projectId) !== projectId) return 'kept';
    // Out of its groups first: Cognito drops a deleted user's memberships, cognito-local keeps them
    // (and then fails to list the group), so local mode would break every approval after a compensation.
    await this.removeFromGroups(account.username, user.roles);
    try {
      await this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: account.username }));
    } catch (error) {
      if (awsErrorName(error) !== 'UserNotFoundException') rethrowAws(error, 'Deleting a user');
    }
    await this.projects.leave(account.username);
    return 'deleted';
  }

  /**
   * AdminGetUser (by address, or by `sub`: the pool takes either as its Username), the user's groups
   * and membership; undefined when the pool has no such user.
   */
  private async account(emailOrSub: string): Promise<Account | undefined> {
    const key = emailOrSub.toLowerCase();
    let output: AdminGetUserCommandOutput;
    try {
      output = await this.client.send(new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: key }));
    } catch (error) {
      if (awsErrorName(error) === 'UserNotFoundException') return undefined;
      rethrowAws(error, 'Reading a user');
    }
    const username = output.Username ?? key;
    const [groups, membership] = await Promise.all([
      this.call(() => this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: this.userPoolId, Username: username })), 'Reading a user\'s groups'),
      this.projects.membership(username),
    ]);
    const user: DirectoryUser = {
      email: (attribute(output.UserAttributes, 'email') ?? key).toLowerCase(),
      ...(membership.projectId === undefined ? {} : { projectId: membership.projectId }),
      roles: (groups.Groups ?? [])
        .map((group) => group.GroupName ?? '')
        .filter(Boolean)
        .sort(),
      enabled: output.Enabled ?? true,
      ...(output.UserStatus === 'FORCE_CHANGE_PASSWORD' ? {} : { hasPassword: true }),
      createdAt: (output.UserCreateDate ?? new Date(0)).toISOString(),
      ...(membership.previousEmail === undefined ? {} : { previousEmail: membership.previousEmail }),
    };
    return { username, sub: attribute(output.UserAttributes, 'sub') ?? username, user };
  }

  /**
   * ListUsersInGroup, page after page (NextToken), the enabled accounts with an address, sorted by
   * it; [] when the group does not exist (ResourceNotFoundException).
   */
  private async groupMembers(group: string): Promise<Member[]> {
    const members: Member[] = [];
    let nextToken: string | undefined;
    do {
      let page: ListUsersInGroupCommandOutput;
      try {
        page = await this.client.send(
          new ListUsersInGroupCommand({ UserPoolId: this.userPoolId, GroupName: group, Limit: GROUP_PAGE_SIZE, ...(nextToken === undefined ? {} : { NextToken: nextToken }) }),
        );
      } catch (error) {
        if (awsErrorName(error) === 'ResourceNotFoundException') return [];
        rethrowAws(error, `Listing group ${group}`);
      }
      for (const user of page.Users ?? []) {
        const email = attribute(user.Attributes, 'email');
        if (user.Enabled === false || user.Username === undefined || email === undefined) continue;
        members.push({ username: user.Username, sub: attribute(user.Attributes, 'sub') ?? user.Username, email: email.toLowerCase() });
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return members.sort((a, b) => a.email.localeCompare(b.email));
  }

  private async addToGroups(username: string, roles: readonly string[]): Promise<void> {
    for (const role of roles) {
      await this.call(() => this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: username, GroupName: role })), `Adding a user to group ${role}`);
    }
  }

  private async removeFromGroups(username: string, roles: readonly string[]): Promise<void> {
    for (const role of roles) {
      await this.call(
        () => this.client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: this.userPoolId, Username: username, GroupName: role })),
        `Removing a user from group ${role}`,
      );
    }
  }

  private async call<T>(send: () => Promise<T>, what: string): Promise<T> {
    try {
      return await send();
    } catch (error) {
      rethrowAws(error, what);
    }
  }
}
