import { hashPassword } from '#core/passwords';
import type { Clock } from '#ports/clock';
import type { EventPublisher, LifecycleEvent } from '#ports/events';
import type { Email, Mailer } from '#ports/mailer';
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
import type { Todo, TodoStore } from '#ports/todo-store';
import type { ExecutionStatus, Workflow, WorkflowInput } from '#ports/workflow';

export {
  MemoryDuplicateKeys,
  type MemoryIdempotencyRecord,
  MemoryIdempotencyStore,
  MemoryNotificationStore,
  MemoryRateLimits,
  MemoryReconcileReports,
  MemorySecretStore,
  type MemoryStoreOptions,
  MemoryTaskStore,
} from './memory-stores.ts';

/** Deep copy in this realm (Jest 29's structuredClone builds objects toStrictEqual sees as foreign). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class RecordingWorkflow implements Workflow {
  readonly started: (WorkflowInput & { attempt: number })[] = [];
  readonly resumed: { sfnToken: string; output: Record<string, unknown> }[] = [];
  readonly failed: { sfnToken: string; error: string; cause: string }[] = [];
  readonly stopped: string[] = [];
  /** What `describe` answers per execution ARN: RUNNING once started, MISSING before; set one to make it end. */
  readonly statuses = new Map<string, ExecutionStatus>();
  async start(input: WorkflowInput, attempt: number) {
    this.started.push({ ...input, attempt });
    const arn = this.executionArn(input.taskId, attempt);
    if (!this.statuses.has(arn)) this.statuses.set(arn, 'RUNNING');
    return arn;
  }
  async describe(executionArn: string): Promise<ExecutionStatus> {
    return this.statuses.get(executionArn) ?? 'MISSING';
  }
  async resume(sfnToken: string, output: Record<string, unknown>) {
    this.resumed.push({ sfnToken, output });
    return true;
  }
  async fail(sfnToken: string, error: string, cause: string) {
    this.failed.push({ sfnToken, error, cause });
    return true;
  }
  async stop(executionArn: string) {
    this.stopped.push(executionArn);
    if (this.statuses.get(executionArn) === 'RUNNING') this.statuses.set(executionArn, 'ABORTED');
  }
  executionArn(taskId: string, attempt: number) {
    return `arn:aws:states:us-east-1:000000000000:execution:assent:${taskId}${attempt > 1 ? `-r${attempt}` : ''}`;
  }
}

/** Records published lifecycle events; `failWith` makes every publish throw it instead. */
export class RecordingEvents implements EventPublisher {
  readonly published: LifecycleEvent[] = [];
  failWith: Error | undefined;
  async publish(events: readonly LifecycleEvent[]) {
    if (this.failWith) throw this.failWith;
    this.published.push(...copy(events));
  }
}

export class RecordingMailer implements Mailer {
  readonly sent: Email[] = [];
  async send(email: Email) {
    this.sent.push(email);
    return `message-${this.sent.length}`;
  }
}

/**
 * In-memory UserDirectory with the same outcomes as the DynamoDB adapter. Projects are keyed by name.
 * Each account gets the immutable id `sub-<its first address>`, as the test identities name their
 * `sub` (`identity(email)` of engine-harness.ts, `requester(email)` of run-hook.ts).
 */
export class MemoryDirectory implements UserDirectory {
  readonly users = new Map<string, DirectoryUser>();
  readonly projects = new Map<string, DirectoryProject>();
  /** The scrypt hash of each password set, by address (what a test checks a password against). */
  readonly passwords = new Map<string, string>();
  /** Each account's immutable id (a token's `sub`), by its current address. */
  private readonly accountIds = new Map<string, string>();
  async findUser(email: string) {
    return this.users.get(email.toLowerCase());
  }
  /** The immutable id of the account at `email` (what its tokens carry as `sub`). */
  async accountIdOf(email: string) {
    const id = this.accountIds.get(email.toLowerCase());
    if (id === undefined) throw new Error(`No account for ${email}.`);
    return id;
  }
  /** A user a test put in `users` directly has the id createUser would have given it. */
  private subOf(email: string) {
    return this.accountIds.get(email) ?? `sub-${email}`;
  }
  async projectOfAccount(accountId: string) {
    const email = [...this.accountIds].find(([, id]) => id === accountId)?.[0];
    return email === undefined ? undefined : this.users.get(email)?.projectId;
  }
  async findAccount(sub: string) {
    const user = [...this.users.values()].find((candidate) => this.subOf(candidate.email) === sub);
    return user && { ...user, sub };
  }
  async usersInGroup(group: string): Promise<DirectoryAccount[]> {
    return [...this.users.values()]
      .filter((user) => user.enabled && user.roles.includes(group))
      .map((user) => ({ sub: this.subOf(user.email), email: user.email }))
      .sort((a, b) => a.email.localeCompare(b.email));
  }
  async projectMembersWithRole(projectId: string, role: string): Promise<DirectoryAccount[]> {
    return (await this.usersInGroup(role)).filter(({ email }) => this.users.get(email)?.projectId === projectId);
  }
  async createUser(user: DirectoryUser) {
    if (this.users.has(user.email)) return false;
    this.users.set(user.email, user);
    this.accountIds.set(user.email, `sub-${user.email}`);
    return true;
  }
  async setPassword(email: string, password: string) {
    const user = this.users.get(email);
    if (!user) return;
    this.users.set(email, { ...user, hasPassword: true });
    this.passwords.set(email, await hashPassword(password));
  }
  async activateUser(email: string, password: string) {
    await this.setPassword(email, password);
    const user = this.users.get(email);
    if (user) this.users.set(email, { ...user, enabled: true });
  }
  async findProjectByName(name: string) {
    return this.projects.get(name);
  }
  async createProject(project: DirectoryProject) {
    if (this.projects.has(project.name) || (await this.getProject(project.id))) return false;
    this.projects.set(project.name, project);
    return true;
  }
  async getProject(id: string) {
    return [...this.projects.values()].find((project) => project.id === id);
  }
  async grantRoles(email: string, projectId: string, roles: readonly string[]): Promise<GrantRolesResult> {
    const user = this.users.get(email.toLowerCase());
    if (!user) return 'not-found';
    if (user.projectId !== undefined && user.projectId !== projectId) return 'other-project';
    const merged = [...user.roles, ...roles.filter((role) => !user.roles.includes(role))];
    if (user.projectId === projectId && merged.length === user.roles.length) return 'unchanged';
    this.users.set(user.email, { ...user, projectId, roles: merged });
    return 'granted';
  }
  async revokeRoles(email: string, projectId: string, roles: readonly string[]): Promise<RevokeRolesResult> {
    const user = this.users.get(email.toLowerCase());
    if (!user) return 'not-found';
    if (user.projectId !== undefined && user.projectId !== projectId) return 'other-project';
    const kept = user.roles.filter((role) => !roles.includes(role));
    if (kept.length === user.roles.length) return 'unchanged';
    this.users.set(user.email, { ...user, roles: kept });
    return 'revoked';
  }
  async changeEmail(oldEmail: string, newEmail: string): Promise<ChangeEmailResult> {
    const [from, to] = [oldEmail.toLowerCase(), newEmail.toLowerCase()];
    const user = this.users.get(from);
    const target = this.users.get(to);
    if (target) return target.previousEmail === from ? 'already-changed' : 'taken';
    if (!user) return 'not-found';
    this.users.delete(from);
    this.users.set(to, { ...user, email: to, previousEmail: from });
    const id = this.accountIds.get(from);
    this.accountIds.delete(from);
    if (id !== undefined) this.accountIds.set(to, id);
    return 'changed';
  }
  async setQuota(projectId: string, quota: DirectoryQuota) {
    const project = await this.getProject(projectId);
    if (!project) return false;
    this.projects.set(project.name, { ...project, quota });
    return true;
  }
  async deleteUnusedUser(email: string, projectId: string): Promise<DeleteUserResult> {
    const user = this.users.get(email.toLowerCase());
    if (!user) return 'absent';
    if ((user.enabled && user.hasPassword) || (user.projectId ?? projectId) !== projectId) return 'kept';
    this.users.delete(user.email);
    this.accountIds.delete(user.email);
    return 'deleted';
  }
  async deleteProject(project: Pick<DirectoryProject, 'id' | 'name'>) {
    const byName = this.projects.get(project.name);
    if (byName?.id !== project.id) return false;
    this.projects.delete(project.name);
    return true;
  }
}

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  constructor(private current = new Date('2026-11-23T10:00:00.000Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** In-memory todos, same answers as the DynamoDB adapter. */
export class MemoryTodos implements TodoStore {
  readonly todos = new Map<string, Todo>();
  async create(todo: Todo) {
    this.todos.set(todo.id, { ...todo });
  }
  async get(id: string) {
    const todo = this.todos.get(id);
    return todo ? { ...todo } : undefined;
  }
  async list(limit: number) {
    return [...this.todos.values()].filter((todo) => !todo.archived).reverse().slice(0, limit);
  }
  async markDone(id: string, at: string) {
    const todo = this.todos.get(id);
    if (!todo) return undefined;
    const done = { ...todo, done: true, doneAt: todo.doneAt ?? at };
    this.todos.set(id, done);
    return { ...done };
  }
  async archiveDone() {
    const ids = [...this.todos.values()].filter((todo) => todo.done && !todo.archived).map((todo) => todo.id);
    for (const id of ids) this.todos.set(id, { ...(this.todos.get(id) as Todo), archived: true });
    return ids;
  }
}
