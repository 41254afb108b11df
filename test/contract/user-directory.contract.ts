import type { DirectoryUser, UserDirectory } from '#ports/user-directory';

export interface UserDirectorySubject {
  /** A directory on an empty table. */
  readonly directory: UserDirectory;
  /** The immutable id of the account at an address, as its bearer tokens carry it (`sub`). */
  readonly accountIdOf: (email: string) => Promise<string>;
}

const AT = '2026-12-02T10:00:00.000Z';
const user = (email: string, overrides: Partial<DirectoryUser> = {}): DirectoryUser => ({ email, projectId: 'p-1', roles: ['project_admin'], enabled: false, createdAt: AT, ...overrides });

/**
 * A user as a directory answers it, for comparing: roles in a set's order, and any creation time
 * (an identity provider records its own).
 */
const seen = (found: DirectoryUser | undefined) => found && { ...found, roles: [...found.roles].sort(), createdAt: 'any' };
const expected = (email: string, overrides: Partial<DirectoryUser> = {}) => seen(user(email, overrides));

/** The UserDirectory port's behaviour, for the in-memory fake and the DynamoDB adapter alike. */
export function describeUserDirectoryContract(name: string, makeDirectory: () => Promise<UserDirectorySubject>): void {
  describe(`UserDirectory contract: ${name}`, () => {
    let directory: UserDirectory;
    let accountIdOf: UserDirectorySubject['accountIdOf'];
    beforeEach(async () => {
      ({ directory, accountIdOf } = await makeDirectory());
    });

    it("finds an account's project by its immutable id, after an address change too; none for an account of no project or an unknown id", async () => {
      // Prepare
      await directory.createUser(user('ann@example.com', { enabled: true }));
      await directory.createUser(user('bob@example.com', { projectId: undefined }));
      await directory.createUser(user('cy@example.com', { projectId: undefined }));
      const [ann, bob, cy] = [await accountIdOf('ann@example.com'), await accountIdOf('bob@example.com'), await accountIdOf('cy@example.com')];
      await directory.changeEmail('ann@example.com', 'ann@new.example.com');
      await directory.grantRoles('cy@example.com', 'p-2', ['member']);

      // Act
      const projects = [
        await directory.projectOfAccount(ann),
        await directory.projectOfAccount(bob),
        await directory.projectOfAccount(cy),
        await directory.projectOfAccount('no-such-account'),
      ];

      // Assess
      expect(projects).toStrictEqual(['p-1', undefined, 'p-2', undefined]);
      expect(new Set([ann, bob, cy]).size).toBe(3);
      await expect(accountIdOf('ann@new.example.com')).resolves.toBe(ann);
    });

    it('finds an account by its immutable id, with that id, after an address change too; none for an unknown id or an address', async () => {
      // Prepare
      await directory.createUser(user('ann@example.com', { enabled: true, roles: ['member'] }));
      const ann = await accountIdOf('ann@example.com');
      await directory.changeEmail('ann@example.com', 'ann@new.example.com');

      // Act
      const found = [await directory.findAccount(ann), await directory.findAccount('no-such-account'), await directory.findAccount('ann@new.example.com')];

      // Assess
      expect(found.map(seen)).toStrictEqual([{ ...expected('ann@new.example.com', { enabled: true, roles: ['member'], previousEmail: 'ann@example.com' }), sub: ann }, undefined, undefined]);
    });

    it('lists the enabled accounts of a group, by address, with their ids; none for an empty or unknown group', async () => {
      // Prepare: created out of order; bob is disabled; cy is in another group.
      await directory.createUser(user('dee@example.com', { enabled: true, projectId: 'p-2' }));
      await directory.createUser(user('bob@example.com'));
      await directory.createUser(user('ann@example.com', { enabled: true }));
      await directory.createUser(user('cy@example.com', { enabled: true, roles: ['member'] }));
      const [ann, cy, dee] = [await accountIdOf('ann@example.com'), await accountIdOf('cy@example.com'), await accountIdOf('dee@example.com')];

      // Act
      const groups = [
        await directory.usersInGroup('project_admin'),
        await directory.usersInGroup('member'),
        await directory.usersInGroup('security'),
        await directory.usersInGroup('no-such-group'),
      ];

      // Assess
      expect(groups).toStrictEqual([
        [
          { sub: ann, email: 'ann@example.com' },
          { sub: dee, email: 'dee@example.com' },
        ],
        [{ sub: cy, email: 'cy@example.com' }],
        [],
        [],
      ]);
    });

    it("lists the enabled accounts of a group on one project only, none for another project's or an unknown group", async () => {
      // Prepare: ann and eve are p-1's project admins; bob is too, but disabled; dee is p-2's; cy is p-1's member.
      await directory.createUser(user('eve@example.com', { enabled: true, roles: ['member', 'project_admin'] }));
      await directory.createUser(user('ann@example.com', { enabled: true }));
      await directory.createUser(user('bob@example.com'));
      await directory.createUser(user('dee@example.com', { enabled: true, projectId: 'p-2' }));
      await directory.createUser(user('cy@example.com', { enabled: true, roles: ['member'] }));
      const [ann, cy, eve] = [await accountIdOf('ann@example.com'), await accountIdOf('cy@example.com'), await accountIdOf('eve@example.com')];

      // Act
      const members = [
        await directory.projectMembersWithRole('p-1', 'project_admin'),
        await directory.projectMembersWithRole('p-1', 'member'),
        await directory.projectMembersWithRole('p-9', 'project_admin'),
        await directory.projectMembersWithRole('p-1', 'no-such-group'),
      ];

      // Assess
      expect(members).toStrictEqual([
        [
          { sub: ann, email: 'ann@example.com' },
          { sub: eve, email: 'eve@example.com' },
        ],
        [
          { sub: cy, email: 'cy@example.com' },
          { sub: eve, email: 'eve@example.com' },
        ],
        [],
        [],
      ]);
    });

    it('revokes roles once, keeping the others and the project, and tells the other outcomes apart', async () => {
      // Prepare
      await directory.createUser(user('ann@example.com', { enabled: true, roles: ['member', 'project_admin'] }));

      // Act
      const results = [
        await directory.revokeRoles('ann@example.com', 'p-1', ['project_admin']),
        await directory.revokeRoles('ann@example.com', 'p-1', ['project_admin']),
        await directory.revokeRoles('ann@example.com', 'p-9', ['member']),
        await directory.revokeRoles('bob@example.com', 'p-1', ['member']),
      ];

      // Assess
      expect(results).toStrictEqual(['revoked', 'unchanged', 'other-project', 'not-found']);
      expect(seen(await directory.findUser('ann@example.com'))).toStrictEqual(expected('ann@example.com', { enabled: true, roles: ['member'] }));
      await expect(directory.usersInGroup('project_admin')).resolves.toStrictEqual([]);
    });

    it('undoes a grant with a revoke of the roles it added', async () => {
      // Prepare
      await directory.createUser(user('ann@example.com', { enabled: true, roles: ['member'] }));
      await directory.grantRoles('ann@example.com', 'p-1', ['project_admin']);

      // Act
      const revoked = await directory.revokeRoles('ann@example.com', 'p-1', ['project_admin']);

      // Assess
      expect(revoked).toBe('revoked');
      expect(seen(await directory.findUser('ann@example.com'))).toStrictEqual(expected('ann@example.com', { enabled: true, roles: ['member'] }));
      await expect(directory.projectMembersWithRole('p-1', 'member')).resolves.toStrictEqual([{ sub: await accountIdOf('ann@example.com'), email: 'ann@example.com' }]);
    });

    it('leaves no deleted account in its groups', async () => {
      // Prepare
      await directory.createUser(user('ann@example.com', { roles: ['member', 'project_admin'] }));
      await directory.createUser(user('bob@example.com', { enabled: true, roles: ['member'] }));

      // Act
      const deleted = await directory.deleteUnusedUser('ann@example.com', 'p-1');

      // Assess
      expect(deleted).toBe('deleted');
      expect([await directory.usersInGroup('project_admin'), await directory.usersInGroup('member')]).toStrictEqual([[], [{ sub: await accountIdOf('bob@example.com'), email: 'bob@example.com' }]]);
    });

    it('creates a user and a project once each, and finds them', async () => {
      // Act
      const created = [
        await directory.createUser(user('ann@example.com')),
        await directory.createUser(user('ann@example.com', { enabled: true })),
        await directory.createProject({ id: 'p-1', name: 'apollo', createdAt: AT }),
        await directory.createProject({ id: 'p-2', name: 'apollo', createdAt: AT }),
      ];

      // Assess
      expect(created).toStrictEqual([true, false, true, false]);
      expect(seen(await directory.findUser('ann@example.com'))).toStrictEqual(expected('ann@example.com'));
      await expect(directory.findProjectByName('apollo')).resolves.toStrictEqual({ id: 'p-1', name: 'apollo', createdAt: AT });
      await expect(directory.getProject('p-2')).resolves.toBeUndefined();
    });

    it('grants roles, keeping the ones the user had, and tells the other outcomes apart', async () => {
      // Prepare
      await directory.createUser(user('ann@example.com', { roles: ['member'] }));

      // Act
      const results = [
        await directory.grantRoles('ann@example.com', 'p-1', ['admin']),
        await directory.grantRoles('ann@example.com', 'p-1', ['admin']),
        await directory.grantRoles('ann@example.com', 'p-9', ['admin']),
        await directory.grantRoles('bob@example.com', 'p-1', ['admin']),
      ];

      // Assess
      expect(results).toStrictEqual(['granted', 'unchanged', 'other-project', 'not-found']);
      expect(seen(await directory.findUser('ann@example.com'))).toStrictEqual(expected('ann@example.com', { roles: ['member', 'admin'] }));
    });

    it('moves a user to a new address once, and refuses a taken or unknown one', async () => {
      // Prepare
      await directory.createUser(user('ann@example.com'));
      await directory.createUser(user('bob@example.com'));

      // Act
      const results = [
        await directory.changeEmail('ann@example.com', 'ann@new.example.com'),
        await directory.changeEmail('ann@example.com', 'ann@new.example.com'),
        await directory.changeEmail('bob@example.com', 'ann@new.example.com'),
        await directory.changeEmail('cy@example.com', 'cy@new.example.com'),
      ];

      // Assess
      expect(results).toStrictEqual(['changed', 'already-changed', 'taken', 'not-found']);
      expect(seen(await directory.findUser('ann@new.example.com'))).toStrictEqual(expected('ann@new.example.com', { previousEmail: 'ann@example.com' }));
    });

    it('deletes only an unused account (disabled, or never given a password) of the project named or of none, and answers absent the second time', async () => {
      // Prepare: ann disabled; dee enabled but never given a password, on no project (a create a crash cut short); bob in use; cy of another project.
      await directory.createUser(user('ann@example.com'));
      await directory.createUser(user('dee@example.com', { enabled: true, projectId: undefined }));
      await directory.createUser(user('bob@example.com', { enabled: true }));
      await directory.activateUser('bob@example.com', 'bob has a password now');
      await directory.createUser(user('cy@example.com', { projectId: 'p-2' }));

      // Act
      const results = [
        await directory.deleteUnusedUser('ann@example.com', 'p-1'),
        await directory.deleteUnusedUser('ann@example.com', 'p-1'),
        await directory.deleteUnusedUser('dee@example.com', 'p-1'),
        await directory.deleteUnusedUser('bob@example.com', 'p-1'),
        await directory.deleteUnusedUser('cy@example.com', 'p-1'),
      ];

      // Assess
      expect(results).toStrictEqual(['deleted', 'absent', 'deleted', 'kept', 'kept']);
      await expect(directory.findUser('ann@example.com')).resolves.toBeUndefined();
      await expect(directory.findUser('dee@example.com')).resolves.toBeUndefined();
      expect(seen(await directory.findUser('bob@example.com'))).toStrictEqual(expected('bob@example.com', { enabled: true, hasPassword: true }));
    });

    it('never frees a name another project holds', async () => {
      // Prepare
      await directory.createProject({ id: 'p-2', name: 'apollo', createdAt: AT });

      // Act
      const deleted = await directory.deleteProject({ id: 'p-1', name: 'apollo' });

      // Assess
      expect(deleted).toBe(false);
      await expect(directory.findProjectByName('apollo')).resolves.toStrictEqual({ id: 'p-2', name: 'apollo', createdAt: AT });
    });

    it('takes a password, says it has one, and enables the account it activates', async () => {
      // Prepare
      await directory.createUser(user('ann@example.com'));
      await directory.createUser(user('bob@example.com', { enabled: true }));

      // Act
      await directory.activateUser('ann@example.com', 'correct horse battery');
      await directory.setPassword('bob@example.com', 'correct horse battery');

      // Assess
      expect(seen(await directory.findUser('ann@example.com'))).toStrictEqual(expected('ann@example.com', { enabled: true, hasPassword: true }));
      expect(seen(await directory.findUser('bob@example.com'))).toStrictEqual(expected('bob@example.com', { enabled: true, hasPassword: true }));
    });

    it('deletes a project and frees its name for another, once', async () => {
      // Prepare
      await directory.createProject({ id: 'p-1', name: 'apollo', createdAt: AT });

      // Act
      const deleted = [await directory.deleteProject({ id: 'p-1', name: 'apollo' }), await directory.deleteProject({ id: 'p-1', name: 'apollo' })];
      const again = await directory.createProject({ id: 'p-2', name: 'apollo', createdAt: AT });

      // Assess
      expect([...deleted, again]).toStrictEqual([true, false, true]);
      await expect(directory.getProject('p-1')).resolves.toBeUndefined();
      await expect(directory.findProjectByName('apollo')).resolves.toStrictEqual({ id: 'p-2', name: 'apollo', createdAt: AT });
    });
  });
}
