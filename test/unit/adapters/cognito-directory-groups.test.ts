import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  ListUsersInGroupCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '#core/errors';
import { expectError } from '../../support/expect-error.ts';
import { mockedCognitoDirectory } from '../../support/mocked-cognito-directory.ts';

/**
 * The exact commands of the Cognito adapter's group reads and revokes, and what the contract suite
 * cannot show on cognito-local (which answers a whole group in one page): paging, and errors.
 */
const { cognito, ddb, directory } = mockedCognitoDirectory();

/** A pool user as ListUsersInGroup answers it: its username is its `sub`. */
const poolUser = (index: number, enabled = true): UserType => ({
  Username: `sub-${index}`,
  Enabled: enabled,
  Attributes: [
    { Name: 'sub', Value: `sub-${index}` },
    { Name: 'email', Value: `User${String(index).padStart(3, '0')}@Example.com` },
  ],
});

beforeEach(() => {
  cognito.reset();
  ddb.reset();
});

describe('CognitoUserDirectory.usersInGroup', () => {
  it('reads every page (NextToken, 60 at a time), keeps the enabled accounts and sorts them by their lowercased address', async () => {
    // Prepare: 61 users over two pages, the first page in reverse order, user 7 disabled.
    const first = Array.from({ length: 60 }, (_, index) => poolUser(60 - index, 60 - index !== 7));
    cognito.on(ListUsersInGroupCommand, { NextToken: undefined }).resolves({ Users: first, NextToken: 'page-2' });
    cognito.on(ListUsersInGroupCommand, { NextToken: 'page-2' }).resolves({ Users: [poolUser(0)] });

    // Act
    const accounts = await directory.usersInGroup('security');

    // Assess
    expect(cognito.commandCalls(ListUsersInGroupCommand).map((call) => call.args[0].input)).toStrictEqual([
      { UserPoolId: 'pool-1', GroupName: 'security', Limit: 60 },
      { UserPoolId: 'pool-1', GroupName: 'security', Limit: 60, NextToken: 'page-2' },
    ]);
    const expected = Array.from({ length: 61 }, (_, index) => index)
      .filter((index) => index !== 7)
      .map((index) => ({ sub: `sub-${index}`, email: `user${String(index).padStart(3, '0')}@example.com` }));
    expect(accounts).toStrictEqual(expected);
  });

  it('answers [] for a group the pool does not have (ResourceNotFoundException)', async () => {
    // Prepare
    cognito.on(ListUsersInGroupCommand).rejects(new ResourceNotFoundException({ message: 'Group not found.', $metadata: {} }));

    // Act
    const accounts = await directory.usersInGroup('no-such-group');

    // Assess
    expect(accounts).toStrictEqual([]);
  });

  it('answers throttling by the pool as a TransientError naming the group', async () => {
    // Prepare
    cognito.on(ListUsersInGroupCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));

    // Act
    const listing = directory.usersInGroup('admin');

    // Assess
    await expectError(listing, TransientError, 'Listing group admin: TooManyRequestsException');
  });
});

describe('CognitoUserDirectory.projectMembersWithRole', () => {
  it("reads each member's membership by username and keeps those on the project", async () => {
    // Prepare: users 1 and 3 are on p-1, user 2 on p-2.
    cognito.on(ListUsersInGroupCommand).resolves({ Users: [poolUser(3), poolUser(2), poolUser(1)] });
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: { pk: 'MEMBER#sub-1', sk: 'MEMBER' } }).resolves({ Item: { pk: 'MEMBER#sub-1', sk: 'MEMBER', projectId: 'p-1' } });
    ddb.on(GetCommand, { Key: { pk: 'MEMBER#sub-2', sk: 'MEMBER' } }).resolves({ Item: { pk: 'MEMBER#sub-2', sk: 'MEMBER', projectId: 'p-2' } });
    ddb.on(GetCommand, { Key: { pk: 'MEMBER#sub-3', sk: 'MEMBER' } }).resolves({ Item: { pk: 'MEMBER#sub-3', sk: 'MEMBER', projectId: 'p-1' } });

    // Act
    const accounts = await directory.projectMembersWithRole('p-1', 'project_admin');

    // Assess
    expect(accounts).toStrictEqual([
      { sub: 'sub-1', email: 'user001@example.com' },
      { sub: 'sub-3', email: 'user003@example.com' },
    ]);
    expect(cognito.commandCalls(ListUsersInGroupCommand).map((call) => call.args[0].input)).toStrictEqual([{ UserPoolId: 'pool-1', GroupName: 'project_admin', Limit: 60 }]);
    expect(ddb.commandCalls(GetCommand).map((call) => call.args[0].input.Key)).toStrictEqual([
      { pk: 'MEMBER#sub-1', sk: 'MEMBER' },
      { pk: 'MEMBER#sub-2', sk: 'MEMBER' },
      { pk: 'MEMBER#sub-3', sk: 'MEMBER' },
    ]);
  });
});

describe('CognitoUserDirectory.findAccount', () => {
  it('reads the account by its sub as the Username', async () => {
    // Prepare
    cognito.on(AdminGetUserCommand).resolves({ Username: 'sub-1', Enabled: true, UserStatus: 'CONFIRMED', UserAttributes: [{ Name: 'sub', Value: 'sub-1' }, { Name: 'email', Value: 'ann@example.com' }] });
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'member' }] });
    ddb.on(GetCommand).resolves({ Item: { pk: 'MEMBER#sub-1', sk: 'MEMBER', projectId: 'p-1' } });

    // Act
    const account = await directory.findAccount('sub-1');

    // Assess
    expect(account).toStrictEqual({ sub: 'sub-1', email: 'ann@example.com', projectId: 'p-1', roles: ['member'], enabled: true, hasPassword: true, createdAt: new Date(0).toISOString() });
    expect(cognito.commandCalls(AdminGetUserCommand).map((call) => call.args[0].input)).toStrictEqual([{ UserPoolId: 'pool-1', Username: 'sub-1' }]);
  });

  it('finds nobody for an empty id, without asking the pool (it refuses an empty Username)', async () => {
    // Act
    const account = await directory.findAccount('');

    // Assess
    expect([account, cognito.calls().length]).toStrictEqual([undefined, 0]);
  });
});

describe('CognitoUserDirectory.revokeRoles', () => {
  it('removes the user (by username) from the roles they have, and only those', async () => {
    // Prepare: ann is in member and project_admin on p-1.
    cognito.on(AdminGetUserCommand).resolves({ Username: 'sub-1', Enabled: true, UserStatus: 'CONFIRMED', UserAttributes: [{ Name: 'sub', Value: 'sub-1' }, { Name: 'email', Value: 'ann@example.com' }] });
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'member' }, { GroupName: 'project_admin' }] });
    cognito.on(AdminRemoveUserFromGroupCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: { pk: 'MEMBER#sub-1', sk: 'MEMBER', projectId: 'p-1' } });

    // Act
    const result = await directory.revokeRoles('Ann@Example.com', 'p-1', ['project_admin', 'admin']);

    // Assess
    expect(result).toBe('revoked');
    expect(cognito.commandCalls(AdminRemoveUserFromGroupCommand).map((call) => call.args[0].input)).toStrictEqual([{ UserPoolId: 'pool-1', Username: 'sub-1', GroupName: 'project_admin' }]);
  });
});
