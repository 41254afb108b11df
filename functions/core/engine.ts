import { z } from 'zod';
import type { Mailer } from '#ports/mailer';
import type { SecretRecord, TaskStore } from '#ports/task-store';
import type { Workflow } from '#ports/workflow';
import type { ActionPorts } from './action.ts';
import { renderEmail } from './emails.ts';
import {
  ConcurrentUpdateError,
  ForbiddenError,
  InvalidTaskError,
  InvalidTransitionError,
  NotFoundError,
  SecretExpiredError,
  TaskAlreadyDecidedError,
  UnauthorizedError,
  ValidationError,
} from './errors.ts';
import { type Actor, type Identity, SYSTEM } from './identity.ts';
import { type Registry, toFieldErrors } from './registry.ts';
import { hashSecret, newSecret } from './secrets.ts';
import { invalidActions, runStage, type Stage, votesToApprove } from './stages.ts';
import type { EmailStage, TaskType } from './task-type.ts';
import { TERMINAL_STATUSES, type Task, type TaskStatus } from './task.ts';
import { transition } from './transitions.ts';

export interface EngineConfig {
  /** Base URL of the HTTP API, for links in emails. */
  readonly publicUrl: string;
  readonly mailFrom: string;
  /** Approvers and operators. */
  readonly adminEmails: readonly string[];
}

export interface EngineDeps {
  readonly store: TaskStore;
  readonly workflow: Workflow;
  readonly mailer: Mailer;
  readonly registry: Registry;
  readonly ports: ActionPorts;
  readonly config: EngineConfig;
  readonly newId: () => string;
  readonly newSecret?: () => string;
}

export type Decision = 'approve' | 'reject';

/** What the state machine's failure handler receives (`$.error`). */
export interface StepError {
  readonly Error: string;
  readonly Cause?: string;
}

/** A token's public face: what the user must supply and until when. */
export interface TokenView {
  readonly task: Task;
  readonly taskType: TaskType;
  readonly validUntil: string;
  readonly schema: z.ZodObject;
}

const DECIDED_EVENTS = new Set(['approved', 'rejected', 'auto-approved', 'auto-rejected']);

/**
 * The task engine: creates tasks, runs the stages and the human steps, and guards every transition.
 * It knows ports only; HTTP handlers and state-machine steps call it.
 */
export class Engine {
  private readonly makeSecret: () => string;

  constructor(private readonly deps: EngineDeps) {
    this.makeSecret = deps.newSecret ?? newSecret;
  }

  private now(): string {
    return this.deps.ports.clock.now().toISOString();
  }

  // ---- requests -------------------------------------------------------------------------------

  /** Validates and stores a new task, then starts its workflow. */
  async createTask(typeName: string, data: unknown, requester: Identity | undefined): Promise<Task> {
    const { registry, store, workflow } = this.deps;
    const taskType = registry.taskType(typeName);
    authorizeCreate(taskType, requester);
    const actionData = registry.parseInput(taskType, data);
    const at = this.now();
    const id = this.deps.newId();
    const task: Task = {
      id,
      type: taskType.name,
      status: 'pending',
      actions: taskType.actions.map((name, index) => ({
        name,
        data: actionData[index] ?? {},
        valid: false,
        autoApprove: null,
        needsToken: false,
        notes: [],
        stored: {},
      })),
      notes: [],
      history: [{ at, by: actorFor(requester), event: 'created', from: null, to: 'pending' }],
      createdBy: requester ?? null,
      createdAt: at,
      updatedAt: at,
      executionArn: workflow.executionArn(id),
      version: 0,
    };
    await store.create(task);
    await workflow.start({
      taskId: id,
      approvalTimeoutSeconds: taskType.approvalTtlSeconds,
      tokenTimeoutSeconds: taskType.tokenTtlSeconds,
    });
    return task;
  }

  async getTask(id: string): Promise<Task> {
    const task = await this.deps.store.get(id);
    if (!task) throw new NotFoundError(`There is no task ${id}.`);
    return task;
  }

  // ---- stage: preApprove ----------------------------------------------------------------------

  /** Runs every action's preApprove; auto-approves when the type allows it and the votes say so. */
  async preApprove(taskId: string): Promise<{ autoApprove: boolean }> {
    const task = await this.getTask(taskId);
    if (task.status !== 'pending') return { autoApprove: isApprovedOrLater(task.status) };
    let updated = await this.runAndSave(task, 'preApprove');
    const taskType = this.deps.registry.taskType(task.type);
    if (!taskType.autoApprove || !votesToApprove(updated)) return { autoApprove: false };
    const invalid = invalidActions(updated);
    const at = this.now();
    if (invalid.length > 0) {
      // A type meant to run unattended does not queue invalid requests for humans: it rejects them.
      const reason = `Invalid: ${describeInvalid(invalid)}`;
      updated = transition(updated, { to: 'rejected', by: SYSTEM, event: 'auto-rejected', at, reason });
      await this.deps.store.save(updated, { version: updated.version });
      return { autoApprove: false };
    }
    updated = transition(updated, { to: 'approved', by: SYSTEM, event: 'auto-approved', at });
    await this.deps.store.save({ ...updated, approvedBy: SYSTEM, approvedAt: at }, { version: updated.version });
    return { autoApprove: true };
  }

  // ---- human step: approval -------------------------------------------------------------------

  /**
   * The execution waits for a decision: email each approver a one-time link and remember the
   * Step Functions token. If the task was decided already (a retry, an auto-rejection), resume at once.
   */
  async awaitApproval(taskId: string, sfnToken: string): Promise<void> {
    const task = await this.getTask(taskId);
    if (task.status !== 'pending') {
      await this.deps.workflow.resume(sfnToken, { decision: isApprovedOrLater(task.status) ? 'approved' : 'rejected' });
      return;
    }
    if (task.wait?.sfnToken === sfnToken) return;
    const taskType = this.deps.registry.taskType(task.type);
    const at = this.now();
    const validUntil = new Date(Date.parse(at) + taskType.approvalTtlSeconds * 1000).toISOString();
    await this.deps.store.revokeSecrets(task.id, 'approval', at, 'A newer approval request was sent.');
    const links: { approver: string; secret: string }[] = [];
    for (const approver of this.deps.config.adminEmails) {
      const secret = this.makeSecret();
      await this.deps.store.putSecret({
        hash: hashSecret(secret),
        kind: 'approval',
        taskId: task.id,
        recipient: approver,
        createdAt: at,
        validUntil,
      });
      links.push({ approver, secret });
    }
    const saved = await this.saveWithRetry(task, (current) =>
      current.status === 'pending' ? { ...current, wait: { kind: 'approval', sfnToken, since: at } } : undefined,
    );
    if (saved.status !== 'pending') {
      await this.deps.workflow.resume(sfnToken, { decision: isApprovedOrLater(saved.status) ? 'approved' : 'rejected' });
      return;
    }
    const stage = taskType.emails.approval ?? DEFAULT_EMAILS.approval;
    for (const { approver, secret } of links) {
      await this.sendStageEmail(saved, stage, [approver], {
        link: `${this.deps.config.publicUrl}/v1/approvals/${secret}`,
        validUntil,
        approver,
      });
    }
  }

  /** An admin (API) or an approver (link) decides. Exactly one concurrent decision wins. */
  async decide(taskId: string, decision: Decision, by: Actor, reason?: string): Promise<Task> {
    let task = await this.getTask(taskId);
    for (;;) {
      assertUndecided(task);
      const at = this.now();
      let next: Task;
      if (decision === 'approve') {
        const invalid = invalidActions(task);
        if (invalid.length > 0) {
          throw new InvalidTaskError(`Task ${task.id} cannot be approved: ${describeInvalid(invalid)}. Update its data first.`, {
            extensions: { invalidActions: invalid.map((action) => ({ name: action.name, notes: action.notes.map((n) => n.text) })) },
          });
        }
        next = { ...transition(task, { to: 'approved', by, event: 'approved', at }), approvedBy: by, approvedAt: at };
      } else {
        next = transition(task, { to: 'rejected', by, event: 'rejected', at, ...(reason ? { reason } : {}) });
      }
      try {
        next = await this.deps.store.save(next, { version: task.version });
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError)) throw error;
        task = await this.getTask(taskId);
        continue;
      }
      await this.deps.store.revokeSecrets(task.id, 'approval', at, `The task was ${next.status}.`);
      if (task.wait?.kind === 'approval') {
        await this.deps.workflow.resume(task.wait.sfnToken, { decision: decision === 'approve' ? 'approved' : 'rejected' });
      }
      return next;
    }
  }

  /** Reads an approval link without changing anything. */
  async viewApproval(secret: string): Promise<{ task: Task; record: SecretRecord }> {
    const record = await this.liveSecret(secret, 'approval');
    return { task: await this.getTask(record.taskId), record };
  }

  /** Decides through a one-time approval link: the link is used up, the approver recorded. */
  async decideByLink(secret: string, decision: Decision, reason?: string): Promise<Task> {
    const record = await this.liveSecret(secret, 'approval');
    const approver: Actor = { kind: 'approver', id: record.recipient ?? 'approver' };
    const consumed = await this.deps.store.consumeSecret(record.hash, approver.id, this.now());
    if (!consumed) throw await this.explainUsedSecret(record.hash);
    try {
      return await this.decide(record.taskId, decision, approver, reason);
    } catch (error) {
      if (error instanceof InvalidTaskError) await this.deps.store.releaseSecret(record.hash);
      throw error;
    }
  }

  // ---- stage: postApprove ---------------------------------------------------------------------

  async postApprove(taskId: string): Promise<{ tokenRequired: boolean }> {
    const task = await this.getTask(taskId);
    if (task.status === 'awaiting_token') return { tokenRequired: true };
    if (task.status === 'completed') return { tokenRequired: false };
    if (task.status !== 'approved') {
      throw new InvalidTransitionError(`Task ${task.id} is ${task.status}; postApprove needs it approved.`);
    }
    const updated = await this.runAndSave(task, 'postApprove');
    const invalid = invalidActions(updated);
    if (invalid.length > 0) throw new InvalidTaskError(`Task ${task.id} became invalid after approval: ${describeInvalid(invalid)}.`);
    return { tokenRequired: updated.actions.some((action) => action.needsToken) };
  }

  // ---- human step: token ----------------------------------------------------------------------

  /** The execution waits for the user: issue a one-time token and email its link. */
  async awaitToken(taskId: string, sfnToken: string): Promise<void> {
    const task = await this.getTask(taskId);
    if (task.status === 'completed') {
      await this.deps.workflow.resume(sfnToken, { submitted: true });
      return;
    }
    if (task.status === 'awaiting_token' && task.wait?.sfnToken === sfnToken) return;
    const taskType = this.deps.registry.taskType(task.type);
    const at = this.now();
    const validUntil = new Date(Date.parse(at) + taskType.tokenTtlSeconds * 1000).toISOString();
    const secret = this.makeSecret();
    await this.deps.store.revokeSecrets(task.id, 'token', at, 'A newer link was sent.');
    await this.deps.store.putSecret({ hash: hashSecret(secret), kind: 'token', taskId: task.id, createdAt: at, validUntil });
    const saved = await this.saveWithRetry(task, (current) => {
      if (current.status !== 'approved' && current.status !== 'awaiting_token') {
        throw new InvalidTransitionError(`Task ${current.id} is ${current.status}; a token needs it approved.`);
      }
      const moved =
        current.status === 'approved'
          ? transition(current, { to: 'awaiting_token', by: SYSTEM, event: 'token-issued', at })
          : current;
      return { ...moved, wait: { kind: 'token', sfnToken, since: at } };
    });
    const recipient = this.recipientOf(saved);
    if (!recipient) throw new Error(`Task ${saved.id} needs a token but none of its actions names a recipient.`);
    await this.sendStageEmail(saved, taskType.emails.token ?? DEFAULT_EMAILS.token, [recipient], {
      link: `${this.deps.config.publicUrl}/v1/tokens/${secret}`,
      validUntil,
    });
  }

  /** What a token needs, without changing anything. */
  async viewToken(secret: string): Promise<TokenView> {
    const record = await this.liveSecret(secret, 'token');
    const task = await this.getTask(record.taskId);
    if (task.status !== 'awaiting_token') throw await this.explainUsedSecret(record.hash);
    return { task, taskType: this.deps.registry.taskType(task.type), validUntil: record.validUntil, schema: this.tokenSchema(task) };
  }

  /**
   * Submits a token: validates the data (a field error keeps the token usable), uses the token up
   * (exactly one concurrent submit wins), runs the submit stage and completes the task.
   * The data (a password, say) never leaves this call: it is not stored, not put in the workflow.
   */
  async submitToken(secret: string, data: unknown): Promise<Task> {
    const view = await this.viewToken(secret);
    const parsed = view.schema.safeParse(data ?? {});
    if (!parsed.success) throw new ValidationError(toFieldErrors(parsed.error));
    const hash = hashSecret(secret);
    if (!(await this.deps.store.consumeSecret(hash, 'requester', this.now()))) throw await this.explainUsedSecret(hash);
    try {
      const task = await this.getTask(view.task.id);
      if (task.status !== 'awaiting_token') throw await this.explainUsedSecret(hash);
      const completed = await this.runSubmitAndComplete(task, parsed.data as Record<string, unknown>);
      if (task.wait?.kind === 'token') await this.deps.workflow.resume(task.wait.sfnToken, { submitted: true });
      return completed;
    } catch (error) {
      await this.deps.store.releaseSecret(hash);
      throw error;
    }
  }

  // ---- stage: submit (no token) and completion ------------------------------------------------

  async submit(taskId: string): Promise<void> {
    const task = await this.getTask(taskId);
    if (task.status === 'completed') return;
    if (task.status !== 'approved') {
      throw new InvalidTransitionError(`Task ${task.id} is ${task.status}; submit needs it approved.`);
    }
    await this.runSubmitAndComplete(task, {});
  }

  /** After completion: the completed email, once. */
  async complete(taskId: string): Promise<void> {
    const task = await this.getTask(taskId);
    if (task.status !== 'completed' || task.notes.some((note) => note.text === NOTE_COMPLETED_EMAIL)) return;
    const taskType = this.deps.registry.taskType(task.type);
    const stage = taskType.emails.completed ?? DEFAULT_EMAILS.completed;
    const recipient = this.recipientOf(task);
    if (stage.enabled && recipient) await this.sendStageEmail(task, stage, [recipient], {});
    await this.saveWithRetry(task, (current) => ({
      ...current,
      notes: [...current.notes, { at: this.now(), text: NOTE_COMPLETED_EMAIL }],
    }));
  }

  /** The state machine's catch-all: record why, end the task (`expired` for timeouts). */
  async fail(taskId: string, step: string, error: StepError): Promise<void> {
    const task = await this.deps.store.get(taskId);
    if (!task || TERMINAL_STATUSES.includes(task.status)) return;
    const at = this.now();
    const timedOut = error.Error === 'States.Timeout';
    await this.saveWithRetry(task, (current) => {
      if (TERMINAL_STATUSES.includes(current.status)) return undefined;
      const to: TaskStatus = timedOut ? 'expired' : 'failed';
      const reason = timedOut ? `Nobody acted before the deadline (${step}).` : `${error.Error} in ${step}`;
      return {
        ...transition(current, { to, by: SYSTEM, event: to, at, reason }),
        failure: { step, error: error.Error, cause: error.Cause ?? '' },
      };
    });
    await this.deps.store.revokeSecrets(taskId, 'approval', at, `The task ${timedOut ? 'expired' : 'failed'}.`);
    await this.deps.store.revokeSecrets(taskId, 'token', at, `The task ${timedOut ? 'expired' : 'failed'}.`);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The merged schema of the token data the task's actions asked for. */
  tokenSchema(task: Task): z.ZodObject {
    const shapes = task.actions
      .filter((record) => record.needsToken)
      .map((record) => this.deps.registry.action(record.name).tokenSchema?.shape ?? {});
    return z.strictObject(Object.assign({}, ...shapes));
  }

  private recipientOf(task: Task): string | undefined {
    for (const record of task.actions) {
      const action = this.deps.registry.action(record.name);
      const address = action.recipient?.(action.schema.parse(record.data));
      if (address) return address;
    }
    return undefined;
  }

  private async runSubmitAndComplete(task: Task, tokenData: Record<string, unknown>): Promise<Task> {
    const updated = await this.runAndSave(task, 'submit', tokenData);
    const invalid = invalidActions(updated);
    if (invalid.length > 0) throw new InvalidTaskError(`Task ${task.id} became invalid during submit: ${describeInvalid(invalid)}.`);
    const at = this.now();
    const completed = { ...transition(updated, { to: 'completed', by: SYSTEM, event: 'completed', at }), completedAt: at };
    return this.deps.store.save(completed, { version: updated.version });
  }

  /** Runs a stage and saves the actions' records, also when a hook throws (then rethrows). */
  private async runAndSave(task: Task, stage: Stage, tokenData?: Record<string, unknown>): Promise<Task> {
    const run = await runStage(task, stage, this.deps.registry, this.deps.ports, () => this.now(), tokenData);
    const saved = await this.deps.store.save({ ...run.task, updatedAt: this.now() }, { version: task.version });
    if (run.error !== undefined) throw run.error;
    return saved;
  }

  /** Applies `change` to the latest task, retrying on concurrent updates. `undefined` = nothing to do. */
  private async saveWithRetry(task: Task, change: (current: Task) => Task | undefined): Promise<Task> {
    let current = task;
    for (let attempt = 0; ; attempt++) {
      const next = change(current);
      if (next === undefined) return current;
      try {
        return await this.deps.store.save(next, { version: current.version });
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError) || attempt >= 5) throw error;
        current = await this.getTask(task.id);
      }
    }
  }

  private async liveSecret(secret: string, kind: SecretRecord['kind']): Promise<SecretRecord> {
    const record = await this.deps.store.getSecret(hashSecret(secret));
    if (!record || record.kind !== kind) {
      throw new NotFoundError('This link is not valid. Check that it was copied whole, or ask for a new one.');
    }
    if (record.usedAt !== undefined || record.revokedAt !== undefined) throw await this.explainUsedSecret(record.hash);
    if (Date.parse(record.validUntil) <= this.deps.ports.clock.now().getTime()) {
      throw new SecretExpiredError(`This link expired at ${record.validUntil}. Ask for a new one.`, {
        extensions: { expiredAt: record.validUntil, taskId: record.taskId },
      });
    }
    return record;
  }

  /** Says what happened to a secret that no longer works: who decided and when, or why it was replaced. */
  private async explainUsedSecret(hash: string): Promise<Error> {
    const record = await this.deps.store.getSecret(hash);
    const task = record ? await this.deps.store.get(record.taskId) : undefined;
    if (!record || !task) return new NotFoundError('This link is not valid. Ask for a new one.');
    if (record.kind === 'approval') {
      const decided = lastDecision(task);
      if (decided) return alreadyDecided(task, decided);
    }
    if (record.revokedAt !== undefined) {
      return new SecretExpiredError(`This link no longer works: ${record.revokedReason ?? 'it was replaced'}`, {
        extensions: { taskId: task.id, taskStatus: task.status },
      });
    }
    const when = record.usedAt ? ` at ${record.usedAt}` : '';
    return new NotFoundError(`This link was already used${when}; the task is ${task.status}.`, {
      extensions: { taskId: task.id, taskStatus: task.status },
    });
  }

  private async sendStageEmail(task: Task, stage: EmailStage, to: string[], extra: Record<string, unknown>): Promise<void> {
    if (!stage.enabled) return;
    const rendered = renderEmail(stage, {
      task,
      taskId: task.id,
      taskType: task.type,
      publicUrl: this.deps.config.publicUrl,
      ...extra,
    });
    await this.deps.mailer.send({ ...rendered, to, from: this.deps.config.mailFrom, taskId: task.id });
  }
}

const NOTE_COMPLETED_EMAIL = 'Completed email sent.';

/** Used when a task type does not override a stage. Every email names the task id. */
export const DEFAULT_EMAILS = {
  approval: {
    enabled: true,
    subject: 'Approval needed: {{ taskType }} {{ taskId }}',
    text: 'A {{ taskType }} request needs a decision.\n\nTask: {{ taskId }}\n{% for action in task.actions %}- {{ action.name }}: {{ action.data | dump }}{% for note in action.notes %}\n    note: {{ note.text }}{% endfor %}\n{% endfor %}\nOpen this link to approve or reject it (it works once, until {{ validUntil }}):\n{{ link }}\n',
  },
  token: {
    enabled: true,
    subject: 'Action needed: {{ taskType }}',
    text: 'Your {{ taskType }} request needs one more step.\n\nOpen this link to finish it (it works once, until {{ validUntil }}):\n{{ link }}\n\nTask: {{ taskId }}\n',
  },
  completed: {
    enabled: true,
    subject: 'Done: {{ taskType }}',
    text: 'Your {{ taskType }} request is complete.\n\nTask: {{ taskId }}\n',
  },
} satisfies Record<string, EmailStage>;

function authorizeCreate(taskType: TaskType, requester: Identity | undefined): void {
  const { access } = taskType;
  if (access === 'public') return;
  if (!requester) throw new UnauthorizedError(`Creating a ${taskType.name} task needs a bearer token.`);
  if (access === 'authenticated') return;
  if (!access.roles.some((role) => requester.roles.includes(role))) {
    throw new ForbiddenError(`Creating a ${taskType.name} task needs one of the roles: ${access.roles.join(', ')}.`);
  }
}

const actorFor = (identity: Identity | undefined): Actor =>
  identity ? { kind: identity.roles.includes('admin') ? 'admin' : 'user', id: identity.sub } : { kind: 'user', id: 'anonymous' };

const isApprovedOrLater = (status: TaskStatus): boolean =>
  status === 'approved' || status === 'awaiting_token' || status === 'completed';

const describeInvalid = (invalid: Task['actions']): string =>
  invalid
    .map((action) => `${action.name} (${action.notes.map((note) => note.text).join('; ') || 'no reason recorded'})`)
    .join(', ');

function lastDecision(task: Task) {
  return [...task.history].reverse().find((entry) => DECIDED_EVENTS.has(entry.event));
}

function alreadyDecided(task: Task, entry: NonNullable<ReturnType<typeof lastDecision>>): TaskAlreadyDecidedError {
  const verb = entry.to === 'rejected' ? 'rejected' : 'approved';
  return new TaskAlreadyDecidedError(`Task ${task.id} was already ${verb} by ${entry.by.id} at ${entry.at}.`, {
    extensions: { taskId: task.id, taskStatus: task.status, decidedBy: entry.by.id, decidedAt: entry.at, decision: verb },
  });
}

function assertUndecided(task: Task): void {
  if (task.status === 'pending') return;
  const decided = lastDecision(task);
  if (decided) throw alreadyDecided(task, decided);
  throw new InvalidTransitionError(`Task ${task.id} is ${task.status} and can no longer be decided.`, {
    extensions: { taskId: task.id, taskStatus: task.status },
  });
}
