/** A small user and project directory standing in for an identity service (Keystone in Adjutant). */
export interface DirectoryUser {
  readonly email: string;
  /** The one project the user belongs to (this example directory keeps one project per user). */
  readonly projectId?: string;
  /** The user's roles on their project. */
  readonly roles: readonly string[];
  readonly enabled: boolean;
  /** Whether a password was ever set (an invited or signed-up account nobody activated has none). */
  readonly hasPassword?: boolean;
  readonly createdAt: string;
  /** The address the record was moved from by `changeEmail` (how a retried move recognises itself). */
  readonly previousEmail?: string;
}

/** An account as a group or a project lists it: its immutable id (the `sub` of its bearer tokens) and its address. */
export interface DirectoryAccount {
  readonly sub: string;
  readonly email: string;
}

/** A project's quota: a named size and the limits it stands for. */
export interface DirectoryQuota {
  readonly size: string;
  readonly instances: number;
  readonly cores: number;
  readonly ramGb: number;
  /** When this quota was set (ISO-8601): the start of the cool-down before another automatic change. */
  readonly updatedAt?: string;
}

export interface DirectoryProject {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  /** Absent until a quota change is applied. */
  readonly quota?: DirectoryQuota;
}

/**
 * `granted`: roles added (and the project set if the user had none); `unchanged`: the user already
 * had them; `not-found`: no such user; `other-project`: the user belongs to another project.
 */
export type GrantRolesResult = 'granted' | 'unchanged' | 'not-found' | 'other-project';

/**
 * Compensation of `grantRoles`. `revoked`: roles the user had were removed (the project kept);
 * `unchanged`: the user had none of them (a retry); `not-found`: no such user; `other-project`:
 * the user belongs to another project.
 */
export type RevokeRolesResult = 'revoked' | 'unchanged' | 'not-found' | 'other-project';

/**
 * `changed`: the record moved; `already-changed`: an earlier call moved it (a retry); `not-found`:
 * no user at the old address; `taken`: another user has the new address.
 */
export type ChangeEmailResult = 'changed' | 'already-changed' | 'not-found' | 'taken';

/**
 * `deleted`: the account is gone; `absent`: there was none (a retry); `kept`: it is enabled or
 * belongs to another project, so it is not the one the caller created.
 */
export type DeleteUserResult = 'deleted' | 'absent' | 'kept';

/** Every create is conditional and every write idempotent, so a retried stage changes nothing twice. */
export interface UserDirectory {
  findUser(email: string): Promise<DirectoryUser | undefined>;
  /**
   * The project of the account whose immutable id is `accountId` (the `sub` of its bearer tokens,
   * which ID and access tokens both carry, unlike the address); undefined when the account has none
   * or there is no such account. How a signed-in caller's project is found without their address.
   */
  projectOfAccount(accountId: string): Promise<string | undefined>;
  /**
   * The account whose immutable id is `sub` (a bearer token's `sub`), with that id; undefined when
   * there is none. An address is not an id: `findAccount('ann@example.com')` finds nobody.
   */
  findAccount(sub: string): Promise<(DirectoryUser & { readonly sub: string }) | undefined>;
  /**
   * The enabled accounts in `group` (a role: `admin`, `security`, `project_admin`, `member`), every
   * one of them however many there are, sorted by address; [] for a group that does not exist.
   */
  usersInGroup(group: string): Promise<DirectoryAccount[]>;
  /** The enabled accounts in group `role` that belong to project `projectId`, sorted by address. */
  projectMembersWithRole(projectId: string, role: string): Promise<DirectoryAccount[]>;
  /** Creates the user if absent; returns false (and changes nothing) if it already exists. */
  createUser(user: DirectoryUser): Promise<boolean>;
  /**
   * Sets the user's password. The directory keeps it as it keeps passwords (Cognito: its own
   * password store; never in Assent's table) and never gives it back.
   */
  setPassword(email: string, password: string): Promise<void>;
  /** Sets the password and enables the account. */
  activateUser(email: string, password: string): Promise<void>;
  findProjectByName(name: string): Promise<DirectoryProject | undefined>;
  /**
   * Creates the project if its name (and id) are free; returns false if the name is taken (or the
   * id is another project's). A retry after a crash midway finds its own name claim and finishes.
   */
  createProject(project: DirectoryProject): Promise<boolean>;
  getProject(id: string): Promise<DirectoryProject | undefined>;
  /** Adds `roles` on `projectId` to the user, keeping the roles they have. Idempotent. */
  grantRoles(email: string, projectId: string, roles: readonly string[]): Promise<GrantRolesResult>;
  /**
   * Removes `roles` from the user on `projectId`, keeping their other roles and their project: the
   * compensation of `grantRoles` (pass only the roles it added). Idempotent.
   */
  revokeRoles(email: string, projectId: string, roles: readonly string[]): Promise<RevokeRolesResult>;
  /**
   * Moves the user record to `newEmail` in one atomic step, keeping everything else (password hash,
   * roles, project). Idempotent: calling it again after it succeeded answers `already-changed`.
   */
  changeEmail(oldEmail: string, newEmail: string): Promise<ChangeEmailResult>;
  /** Sets the project's quota; returns false if there is no such project. Idempotent. */
  setQuota(projectId: string, quota: DirectoryQuota): Promise<boolean>;
  /**
   * Deletes the account at `email` only while nobody can have used it (it is disabled, or never had a
   * password) and it is on `projectId` or on no project yet (the account a sign-up created, maybe
   * half-made by a crash): compensation. `kept` otherwise. Idempotent.
   */
  deleteUnusedUser(email: string, projectId: string): Promise<DeleteUserResult>;
  /**
   * Deletes the project `id` and frees `name` while it still names `id` (a create that crashed
   * midway may have left just the claim); returns whether anything was removed. Idempotent.
   */
  deleteProject(project: Pick<DirectoryProject, 'id' | 'name'>): Promise<boolean>;
}
