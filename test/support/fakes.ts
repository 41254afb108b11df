import { ConcurrentUpdateError } from '#core/errors';
import type { Task } from '#core/task';
import type { Clock } from '#ports/clock';
import type { Email, Mailer } from '#ports/mailer';
import type { SaveCondition, SecretRecord, TaskStore } from '#ports/task-store';
import type { DirectoryProject, DirectoryUser, UserDirectory } from '#ports/user-directory';
import type { Workflow, WorkflowInput } from '#ports/workflow';

/** Deep copy in this realm (Jest 29's structuredClone builds objects toStrictEqual sees as foreign). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** In-memory TaskStore with the same conditions as the DynamoDB adapter. */
export class MemoryTaskStore implements TaskStore {
  readonly tasks = new Map<string, Task>();
  readonly secrets = new Map<string, SecretRecord>();

  async get(id: string) {
    const task = this.tasks.get(id);
    return task ? copy(task) : undefined;
  }
  async create(task: Task) {
    if (this.tasks.has(task.id)) throw new ConcurrentUpdateError('exists');
    this.tasks.set(task.id, copy(task));
  }
  async save(task: Task, condition: SaveCondition) {
    const current = this.tasks.get(task.id);
    if (!current || current.version !== condition.version) throw new ConcurrentUpdateError('stale');
    const next = { ...copy(task), version: condition.version + 1 };
    this.tasks.set(task.id, next);
    return copy(next);
  }
  async putSecret(secret: SecretRecord) {
    this.secrets.set(secret.hash, { ...secret });
  }
  async getSecret(hash: string) {
    const secret = this.secrets.get(hash);
    return secret ? { ...secret } : undefined;
  }
  async consumeSecret(hash: string, usedBy: string, at: string) {
    const secret = this.secrets.get(hash);
    if (!secret || secret.usedAt || secret.revokedAt || secret.validUntil <= at) return false;
    this.secrets.set(hash, { ...secret, usedAt: at, usedBy });
    return true;
  }
  async releaseSecret(hash: string) {
    const secret = this.secrets.get(hash);
    if (!secret) return;
    const { usedAt: _u, usedBy: _b, ...rest } = secret;
    this.secrets.set(hash, rest);
  }
  async revokeSecrets(taskId: string, kind: SecretRecord['kind'], at: string, reason: string) {
    for (const [hash, secret] of this.secrets) {
      if (secret.taskId === taskId && secret.kind === kind && !secret.usedAt && !secret.revokedAt) {
        this.secrets.set(hash, { ...secret, revokedAt: at, revokedReason: reason });
      }
    }
  }
}

export class RecordingWorkflow implements Workflow {
  readonly started: WorkflowInput[] = [];
  readonly resumed: { sfnToken: string; output: Record<string, unknown> }[] = [];
  readonly failed: { sfnToken: string; error: string; cause: string }[] = [];
  readonly stopped: string[] = [];
  async start(input: WorkflowInput) {
    this.started.push(input);
    return this.executionArn(input.taskId);
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
  }
  executionArn(taskId: string) {
    return `arn:aws:states:us-east-1:000000000000:execution:assent:${taskId}`;
  }
}

export class RecordingMailer implements Mailer {
  readonly sent: Email[] = [];
  async send(email: Email) {
    this.sent.push(email);
    return `message-${this.sent.length}`;
  }
}

export class MemoryDirectory implements UserDirectory {
  readonly users = new Map<string, DirectoryUser>();
  readonly projects = new Map<string, DirectoryProject>();
  async findUser(email: string) {
    return this.users.get(email.toLowerCase());
  }
  async createUser(user: DirectoryUser) {
    if (this.users.has(user.email)) return false;
    this.users.set(user.email, user);
    return true;
  }
  async setPassword(email: string, passwordHash: string) {
    const user = this.users.get(email);
    if (user) this.users.set(email, { ...user, passwordHash });
  }
  async enableUser(email: string) {
    const user = this.users.get(email);
    if (user) this.users.set(email, { ...user, enabled: true });
  }
  async findProjectByName(name: string) {
    return this.projects.get(name);
  }
  async createProject(project: DirectoryProject) {
    if (this.projects.has(project.name)) return false;
    this.projects.set(project.name, project);
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
