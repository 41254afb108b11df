import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EventPublisher } from '#ports/events';
import type { ArchiveLookup } from '#ports/archive-store';
import type { Mailer } from '#ports/mailer';
import type { IdempotencyState, Page, SecretRecord, TaskQuery, TaskStore } from '#ports/task-store';
import type { Workflow, WorkflowInput } from '#ports/workflow';
import type { ActionPorts } from './action.ts';
import {
  ConcurrentUpdateError,
  DuplicateTaskError,
  ForbiddenError,
  IdempotencyConflictError,
  InvalidTaskError,
  InvalidTransitionError,
  NotFoundError,
  SecretExpiredError,
  TaskAlreadyDecidedError,
  TaskArchivedError,
  UnauthorizedError,
  ValidationError,
} from './errors.ts';
import { lifecycleEventsOf } from './events.ts';
import { type Actor, type Identity, isAdmin, SYSTEM } from './identity.ts';
import { StageMailer } from './mailing.ts';
import type { Notification } from './notification.ts';
import { describeError, Notifier } from './notifier.ts';
import { type Registry, toFieldErrors } from './registry.ts';
import { hashSecret, newSecret } from './secrets.ts';
import { invalidActions, runStage, type Stage, tokenSchemaOf, votesToApprove } from './stages.ts';
import type { TaskType } from './task-type.ts';
import { TERMINAL_STATUSES, TaskStatusSchema, type Task, type TaskStatus } from './task.ts';
import { transition } from './transitions.ts';

export interface EngineConfig {
  /** Base URL of the HTTP API, for links in emails. */
  readonly publicUrl: string;
  readonly mailFrom: string;
  /** Approvers and operators. */
  readonly adminEmails: readonly string[];
  /** Minutes a task is kept after it ends, before TTL archives it. @default 1440 */
  readonly ttlMinutes?: number;
  /**
   * Whether ended tasks stay readable in the table for `ttlMinutes` (DJ Actions' TRACK_ACTIONS).
   * When false they expire as they end: archived at once, no longer listed. @default true
   */
  readonly trackActions?: boolean;
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
  /** Finds archived tasks, so a read of one says where it went. */
  readonly archive?: ArchiveLookup;
  /** Where internal failures that must not break a request are reported (a logger). */
  readonly onInternalError?: (message: string, error: unknown) => void;
  /** Where lifecycle events go (EventBridge). @default - none are published */
  readonly events?: EventPublisher;
}

export type Decision = 'approve' | 'reject';

/** What the state machine's failure handler receives for the failed state. */
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

/** States an admin retry can resume at, and the status the task goes back to. */
const RESUMABLE: Record<string, TaskStatus> = {
  PreApprove: 'pending',
  AwaitApproval: 'pending',
  PostApprove: 'approved',
  AwaitToken: 'approved',
  Submit: 'approved',
};

const DECIDED_EVENTS = new Set(['approved', 'rejected', 'auto-approved', 'auto-rejected']);
const OPEN: readonly TaskStatus[] = ['pending', 'approved', 'awaiting_token'];

/** Raised when an action's hook throws while a requester waits (token submit): answered as a 500. */
export class ActionFailedError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'ActionFailedError';
  }
}

/**
 * The task engine: creates tasks, runs the stages and the human steps, guards every transition,
 * and answers the admin operations. It knows ports only; HTTP handlers and state-machine steps call it.
 */
export class Engine {
  private readonly makeSecret: () => string;
  private readonly mail: StageMailer;
  private readonly notifier: Notifier;
  private readonly onInternalError: (message: string, error: unknown) => void;

  constructor(private readonly deps: EngineDeps) {
    this.makeSecret = deps.newSecret ?? newSecret;
    this.onInternalError = deps.onInternalError ?? (() => undefined);
    this.mail = new StageMailer(deps.mailer, deps.config);
    this.notifier = new Notifier(deps.store, this.mail, deps.config.adminEmails, deps.newId, () => this.now(), this.onInternalError);
  }

  private now(): string {
    return this.deps.ports.clock.now().toISOString();
  }

  private taskTypeOf(task: Task): TaskType | undefined {
    try {
      return this.deps.registry.taskType(task.type);
    } catch {
      return undefined;
    }
  }

  // ---- requests -------------------------------------------------------------------------------

  /** Validates and stores a new task, resolves duplicates, then starts its workflow. */
  async createTask(typeName: string, data: unknown, requester: Identity | undefined): Promise<Task> {
    const { registry, store, workflow } = this.deps;
    const taskType = registry.taskType(typeName);
    authorizeCreate(taskType, requester);
    const actionData = registry.parseInput(taskType, data);
    const at = this.now();
    const id = this.deps.newId();
    const hash = duplicateHash(taskType, actionData, requester);
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
      executionArn: workflow.executionArn(id, 1),
      hash,
      sentEmails: [],
      adminNotes: [],
      attempt: 1,
      version: 0,
    };
    const replaced = await this.claimDuplicateKey(taskType, hash, id);
    await store.create(task);
    await this.announce(task);
    for (const older of replaced) {
      await this.cancel(older, SYSTEM, `Replaced by a newer identical request, task ${id}.`).catch((error: unknown) => {
        if (!(error instanceof InvalidTransitionError)) throw error;
      });
    }
    return this.startWorkflow(task, { taskId: id, approvalTimeoutSeconds: taskType.approvalTtlSeconds, tokenTimeoutSeconds: taskType.tokenWaitSeconds }, 'PreApprove');
  }

  /**
   * Starts the task's execution. If Step Functions cannot be reached (after the SDK's retries), the
   * task is not left waiting for a workflow that does not exist: it fails at `step`, the operators
   * are told, and an admin retry starts it again. Answers the task as it now is.
   */
  private async startWorkflow(task: Task, input: WorkflowInput, step: string): Promise<Task> {
    try {
      await this.deps.workflow.start(input, task.attempt);
      return task;
    } catch (error) {
      await this.failTask(task, step, { Error: errorName(error), Cause: `The workflow could not be started: ${describeError(error)}` });
      return this.getTask(task.id);
    }
  }

  /**
   * Points the task type's duplicate key at `taskId`. Policy `reject`: an open holder → 409 naming it.
   * `cancel-older`: returns the open holder, for the caller to cancel. `allow`: nothing.
   */
  private async claimDuplicateKey(taskType: TaskType, hash: string, taskId: string, self?: string): Promise<string[]> {
    if (taskType.duplicatePolicy === 'allow') return [];
    const key = `${taskType.name}#${hash}`;
    for (let attempt = 0; attempt < 10; attempt++) {
      const holder = await this.deps.store.getDuplicateHolder(key);
      const holderTask = holder && holder !== self ? await this.deps.store.get(holder) : undefined;
      // The holder counts only while it is open and still has this data (an update moves its key).
      const open = holderTask !== undefined && OPEN.includes(holderTask.status) && holderTask.hash === hash;
      if (open && taskType.duplicatePolicy === 'reject') {
        throw new DuplicateTaskError(`An identical ${taskType.name} request is already open: task ${holder}.`, {
          extensions: { existingTaskId: holder },
        });
      }
      if (await this.deps.store.claimDuplicate(key, taskId, holder)) return open && holder ? [holder] : [];
    }
    throw new ConcurrentUpdateError('Too many identical requests at once; try again.');
  }

  async getTask(id: string): Promise<Task> {
    const task = await this.deps.store.get(id);
    if (!task) throw new NotFoundError(`There is no task ${id}.`);
    return task;
  }

  /** Admins read any task; a requester reads their own; anyone else gets 404 (existence is not revealed). */
  async getTaskFor(id: string, identity: Identity | undefined): Promise<{ task: Task; asAdmin: boolean }> {
    if (!identity) throw new UnauthorizedError('This needs a bearer token.');
    const task = await this.deps.store.get(id);
    if (task && isAdmin(identity)) return { task, asAdmin: true };
    if (task && task.createdBy?.sub === identity.sub) return { task, asAdmin: false };
    const archived = task ? undefined : await this.deps.archive?.findTask(id);
    if (archived && (isAdmin(identity) || archived.requester === identity.sub)) {
      throw new TaskArchivedError(`Task ${id} ended and was archived at ${archived.archivedAt}; it is in ${archived.location}.`, {
        extensions: { taskId: id, archivedAt: archived.archivedAt, location: archived.location },
      });
    }
    throw new NotFoundError(`There is no task ${id}.`);
  }

  listTasks(query: TaskQuery): Promise<Page<Task>> {
    return this.deps.store.list(query);
  }

  /** Counts per status, the newest task, the latest completion and the unacknowledged errors. */
  async status() {
    const [counts, newest, completed, errors] = await Promise.all([
      this.deps.store.countByStatus(),
      this.deps.store.list({ limit: 1 }),
      this.deps.store.list({ status: 'completed', limit: 25 }),
      this.deps.store.listNotifications({ acknowledged: false, limit: 50 }),
    ]);
    const lastCompleted = [...completed.items].sort((a, b) => (b.completedAt ?? '').localeCompare(a.completedAt ?? ''))[0];
    return {
      counts,
      lastCreated: newest.items[0] ? summary(newest.items[0]) : null,
      lastCompleted: lastCompleted ? { ...summary(lastCompleted), completedAt: lastCompleted.completedAt } : null,
      unacknowledgedErrors: errors.items.filter((notification) => notification.error).slice(0, 10),
    };
  }

  // ---- idempotent creation --------------------------------------------------------------------

  /**
   * Runs `create` once per key: a repeat with the same body gets the first answer; a different body
   * with the same key is refused (422); a repeat while the first is running gets 409.
   */
  async idempotent(
    key: string,
    body: unknown,
    create: () => Promise<{ status: number; body: unknown }>,
  ): Promise<{ status: number; body: unknown; replayed: boolean }> {
    const fingerprint = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const state: IdempotencyState = await this.deps.store.beginIdempotent(key, fingerprint, this.now(), 24 * 3600);
    if (state.state !== 'new') {
      if (state.fingerprint !== fingerprint) {
        throw new IdempotencyConflictError('This Idempotency-Key was used with a different request body. Use a new key for a new request.');
      }
      if (state.state === 'in-progress') {
        throw new ConcurrentUpdateError('A request with this Idempotency-Key is still being handled; retry in a moment.');
      }
      return { ...state.response, replayed: true };
    }
    try {
      const response = await create();
      await this.deps.store.completeIdempotent(key, response);
      return { ...response, replayed: false };
    } catch (error) {
      await this.deps.store.abandonIdempotent(key).catch((e: unknown) => this.onInternalError('Could not release an idempotency key', e));
      throw error;
    }
  }

  // ---- stage: preApprove ----------------------------------------------------------------------

  /** Runs every action's preApprove; auto-approves when the type allows it and the votes say so. */
  async preApprove(taskId: string): Promise<{ autoApprove: boolean }> {
    const task = await this.getTask(taskId);
    if (task.status !== 'pending') return { autoApprove: isApprovedOrLater(task.status) };
    const updated = await this.runAndSave(task, 'preApprove');
    const taskType = this.deps.registry.taskType(task.type);
    const decided = await this.autoDecide(updated, taskType);
    if (!updated.sentEmails.includes('initial')) {
      const recipient = this.recipientOf(updated);
      await this.mail.send({ task: updated, taskType, stage: 'initial', recipients: recipient ? [recipient] : [] });
      await this.markSent(updated.id, 'initial');
    }
    if (decided === 'approved') return { autoApprove: true };
    if (decided === 'pending') {
      const invalid = invalidActions(updated);
      await this.notifier.notify({
        task: updated,
        taskType,
        kind: 'needs-approval',
        message: `'${task.type}' task ${task.id} needs approval.${invalid.length ? ` It is invalid: ${describeInvalid(invalid)}.` : ''}`,
      });
    }
    return { autoApprove: false };
  }

  /** Auto-approval after preApprove (or an update): approved, auto-rejected (invalid), or still pending. */
  private async autoDecide(task: Task, taskType: TaskType): Promise<'approved' | 'rejected' | 'pending'> {
    if (!taskType.autoApprove || !votesToApprove(task)) return 'pending';
    const invalid = invalidActions(task);
    const at = this.now();
    if (invalid.length > 0) {
      // A type meant to run unattended does not queue invalid requests for humans: it rejects them.
      const reason = `Invalid: ${describeInvalid(invalid)}`;
      await this.announce(await this.deps.store.save(transition(task, { to: 'rejected', by: SYSTEM, event: 'auto-rejected', at, reason }), { version: task.version }));
      return 'rejected';
    }
    const approved = transition(task, { to: 'approved', by: SYSTEM, event: 'auto-approved', at });
    await this.announce(await this.deps.store.save({ ...approved, approvedBy: SYSTEM, approvedAt: at }, { version: task.version }));
    return 'approved';
  }

  // ---- human step: approval -------------------------------------------------------------------

  /**
   * The execution waits for a decision: email each approver a one-time link and remember the
   * Step Functions token. If the task was decided already (a retry, an auto-rejection), resume at once.
   */
  async awaitApproval(taskId: string, sfnToken: string): Promise<void> {
    let task = await this.getTask(taskId);
    if (task.status !== 'pending') {
      await this.resumeDecided(task, sfnToken);
      return;
    }
    if (task.wait?.sfnToken !== sfnToken) {
      const at = this.now();
      task = await this.saveWithRetry(task, (current) =>
        current.status === 'pending'
          ? { ...current, wait: { kind: 'approval', sfnToken, since: at }, sentEmails: current.sentEmails.filter((stage) => stage !== 'approval') }
          : undefined,
      );
      if (task.status !== 'pending') {
        await this.resumeDecided(task, sfnToken);
        return;
      }
    }
    if (task.sentEmails.includes('approval')) return;
    const taskType = this.deps.registry.taskType(task.type);
    const at = this.now();
    const validUntil = new Date(Date.parse(at) + taskType.approvalTtlSeconds * 1000).toISOString();
    await this.deps.store.revokeSecrets(task.id, 'approval', at, 'A newer approval request was sent.');
    for (const approver of this.deps.config.adminEmails) {
      const secret = this.makeSecret();
      await this.deps.store.putSecret({ hash: hashSecret(secret), kind: 'approval', taskId: task.id, recipient: approver, createdAt: at, validUntil });
      await this.mail.send({
        task,
        taskType,
        stage: 'approval',
        recipients: [approver],
        context: { link: `${this.deps.config.publicUrl}/v1/approvals/${secret}`, validUntil, approver },
      });
    }
    await this.markSent(task.id, 'approval');
  }

  private async resumeDecided(task: Task, sfnToken: string): Promise<void> {
    await this.deps.workflow.resume(sfnToken, { decision: isApprovedOrLater(task.status) ? 'approved' : 'rejected' });
  }

  /** An admin (API) or an approver (link) decides. Exactly one concurrent decision wins. */
  async decide(taskId: string, decision: Decision, by: Actor, reason?: string, approver?: { sub?: string; email?: string }): Promise<Task> {
    let task = await this.getTask(taskId);
    const taskType = this.taskTypeOf(task);
    if (approver && !taskType?.allowSelfApproval && isRequester(task, approver)) {
      throw new ForbiddenError(`You asked for task ${task.id}; another approver must decide it.`);
    }
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
        next = this.ended(transition(task, { to: 'rejected', by, event: 'rejected', at, ...(reason ? { reason } : {}) }));
      }
      try {
        next = await this.deps.store.save(next, { version: task.version });
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError)) throw error;
        task = await this.getTask(taskId);
        continue;
      }
      await this.announce(next);
      if (task.wait?.kind === 'approval') next = await this.tellWorkflowDecided(next, task.wait.sfnToken);
      await this.deps.store
        .revokeSecrets(task.id, 'approval', at, `The task was ${decision === 'approve' ? 'approved' : 'rejected'}.`)
        .catch((error: unknown) => this.onInternalError('Could not revoke approval links (a decided task refuses them anyway)', error));
      if (next.status === 'rejected') await this.tellRequester(next, 'rejected', { reason: reason ?? '' });
      return next;
    }
  }

  /**
   * Resumes the execution waiting for the decision. The decision is already saved; if Step Functions
   * cannot be told (after the SDK's retries), an approved task fails at PostApprove (an admin retry
   * carries on from there, in a new execution) and its waiting execution is stopped; a rejected task
   * is over anyway and its execution ends at its approval timeout.
   */
  private async tellWorkflowDecided(task: Task, sfnToken: string): Promise<Task> {
    try {
      if (await this.deps.workflow.resume(sfnToken, { decision: task.status === 'approved' ? 'approved' : 'rejected' })) return task;
      throw Object.assign(new Error('The execution no longer waits for this decision (its wait timed out or it was stopped).'), { name: 'WaitOver' });
    } catch (error) {
      if (task.status !== 'approved') {
        this.onInternalError(`Could not tell the workflow that task ${task.id} was ${task.status}`, error);
        return task;
      }
      await this.failTask(task, 'PostApprove', { Error: errorName(error), Cause: `The approval was saved but the workflow could not be resumed: ${describeError(error)}` });
      if (task.executionArn) {
        await this.deps.workflow.stop(task.executionArn, 'Superseded: the task failed after its approval').catch((e: unknown) => this.onInternalError('Could not stop an execution', e));
      }
      return this.getTask(task.id);
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
      return await this.decide(record.taskId, decision, approver, reason, { email: record.recipient });
    } catch (error) {
      if (error instanceof InvalidTaskError || error instanceof ForbiddenError) await this.deps.store.releaseSecret(record.hash);
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
    let task = await this.getTask(taskId);
    if (task.status === 'completed') {
      await this.deps.workflow.resume(sfnToken, { submitted: true });
      return;
    }
    if (task.status === 'awaiting_token' && task.wait?.sfnToken === sfnToken && task.sentEmails.includes('token')) return;
    const at = this.now();
    let issued = false;
    task = await this.saveWithRetry(task, (current) => {
      if (current.status !== 'approved' && current.status !== 'awaiting_token') {
        throw new InvalidTransitionError(`Task ${current.id} is ${current.status}; a token needs it approved.`);
      }
      issued = false;
      if (current.status === 'awaiting_token' && current.wait?.sfnToken === sfnToken) return undefined;
      issued = current.status === 'approved';
      const moved = current.status === 'approved' ? transition(current, { to: 'awaiting_token', by: SYSTEM, event: 'token-issued', at }) : current;
      return { ...moved, wait: { kind: 'token', sfnToken, since: at }, sentEmails: moved.sentEmails.filter((stage) => stage !== 'token') };
    });
    if (issued) await this.announce(task);
    await this.issueToken(task);
    await this.markSent(task.id, 'token');
  }

  /** Revokes the task's live tokens, issues a new one and emails its link to the requester. */
  private async issueToken(task: Task): Promise<void> {
    const taskType = this.deps.registry.taskType(task.type);
    const at = this.now();
    const validUntil = new Date(Date.parse(at) + taskType.tokenTtlSeconds * 1000).toISOString();
    const secret = this.makeSecret();
    await this.deps.store.revokeSecrets(task.id, 'token', at, 'A newer link was sent.');
    await this.deps.store.putSecret({ hash: hashSecret(secret), kind: 'token', taskId: task.id, createdAt: at, validUntil });
    const recipient = this.recipientOf(task);
    if (!recipient) throw new Error(`Task ${task.id} needs a token but none of its actions names a recipient.`);
    await this.mail.send({
      task,
      taskType,
      stage: 'token',
      recipients: [recipient],
      context: { link: `${this.deps.config.publicUrl}/v1/tokens/${secret}`, validUntil },
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
   * If an action throws, the task fails (operators are told the detail; an admin can retry, which
   * sends a new token), and the requester gets a generic error.
   */
  async submitToken(secret: string, data: unknown): Promise<Task> {
    const view = await this.viewToken(secret);
    const parsed = view.schema.safeParse(data ?? {});
    if (!parsed.success) throw new ValidationError(toFieldErrors(parsed.error));
    const hash = hashSecret(secret);
    if (!(await this.deps.store.consumeSecret(hash, 'requester', this.now()))) throw await this.explainUsedSecret(hash);
    let task = await this.getTask(view.task.id);
    let completed: Task | undefined;
    try {
      // The token is ours now; a concurrent write (the step recording that the token email went out,
      // an admin note) only means reading the task again. Submit hooks are idempotent.
      for (let attempt = 0; completed === undefined && task.status === 'awaiting_token'; attempt++) {
        try {
          completed = await this.runSubmitAndComplete(task, parsed.data as Record<string, unknown>);
        } catch (error) {
          if (!(error instanceof ConcurrentUpdateError) || attempt >= 4) throw error;
          task = await this.getTask(task.id);
        }
      }
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) {
        await this.deps.store.releaseSecret(hash);
        throw error;
      }
      await this.failTask(await this.getTask(task.id), 'AwaitToken', { Error: errorName(error), Cause: describeError(error) });
      if (task.wait?.kind === 'token') await this.deps.workflow.fail(task.wait.sfnToken, 'ActionFailed', `Submit failed for task ${task.id}`);
      throw new ActionFailedError(`Submit failed for task ${task.id}`, { cause: error });
    }
    if (completed === undefined) {
      // The task moved on (cancelled, say) while the token was being used.
      await this.deps.store.releaseSecret(hash);
      throw await this.explainUsedSecret(hash);
    }
    if (task.wait?.kind === 'token') {
      try {
        if (!(await this.deps.workflow.resume(task.wait.sfnToken, { submitted: true }))) {
          throw Object.assign(new Error('The execution no longer waits for this token.'), { name: 'WaitOver' });
        }
      } catch (error) {
        // The task is completed; only the workflow's Complete step (the completed email) is left. Do it here.
        this.onInternalError(`Could not resume the workflow of completed task ${task.id}; sending its completed email from the submit`, error);
        await this.complete(task.id);
        if (task.executionArn) await this.deps.workflow.stop(task.executionArn, 'Completed by its token submit').catch((e: unknown) => this.onInternalError('Could not stop an execution', e));
      }
    }
    return completed;
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
    if (task.status !== 'completed' || task.sentEmails.includes('completed')) return;
    await this.tellRequester(task, 'completed', {}, { rethrow: true });
  }

  /**
   * The state machine's catch-all. A timed-out approval is rejected or cancelled (the task type
   * says which), a timed-out token expires the task, anything else fails it with the error recorded
   * and the operators notified.
   */
  async fail(taskId: string, state: string, error: StepError, executionArn?: string): Promise<void> {
    const task = await this.deps.store.get(taskId);
    if (!task) return;
    // An execution the task has moved on from (an admin retry started a newer one) speaks for nobody.
    if (executionArn && task.executionArn && executionArn !== task.executionArn) return;
    const taskType = this.taskTypeOf(task);
    if (state === 'Complete') {
      await this.notifier.notify({ task, taskType, kind: 'error', message: `The completed email of task ${task.id} could not be sent.`, detail: `${error.Error}: ${error.Cause ?? ''}` });
      return;
    }
    if (TERMINAL_STATUSES.includes(task.status)) return;
    const at = this.now();
    if (error.Error === 'States.Timeout' && state === 'AwaitApproval' && task.status === 'pending') {
      const hours = Math.round((taskType?.approvalTtlSeconds ?? 0) / 360) / 10;
      const to: TaskStatus = taskType?.onApprovalExpiry === 'cancel' ? 'cancelled' : 'rejected';
      const reason = `No decision within ${hours} hours.`;
      let lapsed = false;
      const ended = await this.saveWithRetry(task, (current) => {
        lapsed = current.status === 'pending';
        return lapsed ? this.ended(transition(current, { to, by: SYSTEM, event: 'approval-expired', at, reason })) : undefined;
      });
      if (lapsed) await this.announce(ended);
      if (ended.status !== to) return;
      await this.deps.store.revokeSecrets(taskId, 'approval', at, 'The approval request expired.');
      await this.tellRequester(ended, to === 'cancelled' ? 'cancelled' : 'rejected', { reason });
      return;
    }
    if (error.Error === 'States.Timeout' && state === 'AwaitToken' && task.status === 'awaiting_token') {
      let expired = false;
      const ended = await this.saveWithRetry(task, (current) => {
        expired = current.status === 'awaiting_token';
        return expired ? this.ended(transition(current, { to: 'expired', by: SYSTEM, event: 'expired', at, reason: 'The token was not used in time.' })) : undefined;
      });
      if (expired) await this.announce(ended);
      await this.deps.store.revokeSecrets(taskId, 'token', at, 'The task expired.');
      return;
    }
    await this.failTask(task, state, error);
  }

  /** Marks the task failed with the error, revokes its secrets and tells the operators. */
  private async failTask(task: Task, state: string, error: StepError): Promise<void> {
    const at = this.now();
    let moved = false;
    const failed = await this.saveWithRetry(task, (current) => {
      moved = !TERMINAL_STATUSES.includes(current.status);
      return moved
        ? {
            ...transition(current, { to: 'failed', by: SYSTEM, event: 'failed', at, reason: `${error.Error} in ${state}` }),
            failure: { step: state, error: error.Error, cause: error.Cause ?? '' },
          }
        : undefined;
    });
    if (moved) await this.announce(failed);
    if (failed.status !== 'failed') return;
    await this.deps.store.revokeSecrets(task.id, 'approval', at, 'The task failed.');
    await this.deps.store.revokeSecrets(task.id, 'token', at, 'The task failed.');
    await this.notifier.notify({
      task: failed,
      taskType: this.taskTypeOf(failed),
      kind: 'error',
      message: `Task ${task.id} (${task.type}) failed in ${state}. An admin can retry it: POST /v1/tasks/${task.id}/retry.`,
      detail: `${error.Error}: ${error.Cause ?? ''}`,
    });
  }

  // ---- admin operations -----------------------------------------------------------------------

  /** Replaces a pending task's data, recomputes its duplicate key and re-runs preApprove (no initial email). */
  async updateData(taskId: string, data: unknown, by: Actor): Promise<Task> {
    const task = await this.getTask(taskId);
    if (task.status !== 'pending') {
      throw new InvalidTransitionError(`Task ${task.id} is ${task.status}; only pending tasks can be updated.`, { extensions: { taskStatus: task.status } });
    }
    const taskType = this.deps.registry.taskType(task.type);
    const actionData = this.deps.registry.parseInput(taskType, data);
    const hash = duplicateHash(taskType, actionData, task.createdBy ?? undefined);
    if (hash !== task.hash) await this.claimDuplicateKey(taskType, hash, task.id, task.id);
    const at = this.now();
    const updated: Task = {
      ...task,
      hash,
      updatedAt: at,
      actions: task.actions.map((action, index) => ({
        ...action,
        data: actionData[index] ?? {},
        valid: false,
        autoApprove: null,
        notes: [...action.notes, { at, text: `Data updated by ${by.id}.` }],
      })),
    };
    const saved = await this.deps.store.save(updated, { version: task.version });
    const run = await this.runAndSave(saved, 'preApprove');
    const decided = await this.autoDecide(run, taskType);
    const latest = await this.getTask(taskId);
    if (decided !== 'pending' && latest.wait?.kind === 'approval') await this.resumeDecided(latest, latest.wait.sfnToken);
    return latest;
  }

  /** Cancels an open or failed task: stops its execution, revokes its links, tells the requester. */
  async cancel(taskId: string, by: Actor, reason?: string): Promise<Task> {
    let task = await this.getTask(taskId);
    for (;;) {
      if (!['pending', 'approved', 'awaiting_token', 'failed'].includes(task.status)) {
        throw new InvalidTransitionError(`Task ${task.id} is ${task.status} and can no longer be cancelled.`, { extensions: { taskStatus: task.status } });
      }
      const at = this.now();
      const next = this.ended(transition(task, { to: 'cancelled', by, event: 'cancelled', at, ...(reason ? { reason } : {}) }));
      try {
        const saved = await this.deps.store.save(next, { version: task.version });
        await this.announce(saved);
        await this.deps.store.revokeSecrets(task.id, 'approval', at, 'The task was cancelled.');
        await this.deps.store.revokeSecrets(task.id, 'token', at, 'The task was cancelled.');
        if (task.status !== 'failed' && task.executionArn) await this.deps.workflow.stop(task.executionArn, `Cancelled by ${by.id}`);
        await this.tellRequester(saved, 'cancelled', { reason: reason ?? '' });
        return saved;
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError)) throw error;
        task = await this.getTask(taskId);
      }
    }
  }

  async addNote(taskId: string, by: Actor, text: string): Promise<Task> {
    const task = await this.getTask(taskId);
    return this.saveWithRetry(task, (current) => ({ ...current, adminNotes: [...current.adminNotes, { at: this.now(), by: by.id, text }] }));
  }

  /** A new token for a task waiting for one: the old link stops working, a new one is emailed. */
  async reissueToken(taskId: string, by: Actor): Promise<Task> {
    const task = await this.getTask(taskId);
    if (task.status !== 'awaiting_token') {
      throw new InvalidTransitionError(`Task ${task.id} is ${task.status}; only a task waiting for its token can get a new one.`, {
        extensions: { taskStatus: task.status },
      });
    }
    await this.issueToken(task);
    return this.saveWithRetry(task, (current) => ({ ...current, notes: [...current.notes, { at: this.now(), text: `Token reissued by ${by.id}.` }] }));
  }

  /** Retries a failed task from the state that failed, in a new execution. Actions' hooks are idempotent. */
  async retry(taskId: string, by: Actor): Promise<Task> {
    const task = await this.getTask(taskId);
    const resumeAt = task.failure?.step;
    const status = resumeAt ? RESUMABLE[resumeAt] : undefined;
    if (task.status !== 'failed' || !resumeAt || !status) {
      throw new InvalidTransitionError(`Task ${task.id} is ${task.status}; only a failed task can be retried.`, { extensions: { taskStatus: task.status } });
    }
    const taskType = this.deps.registry.taskType(task.type);
    const attempt = task.attempt + 1;
    const at = this.now();
    const { failure: _failure, wait: _wait, ...rest } = task;
    const next: Task = {
      ...transition(rest as Task, { to: status, by, event: 'retried', at, reason: `Retry from ${resumeAt}` }),
      attempt,
      executionArn: this.deps.workflow.executionArn(task.id, attempt),
      sentEmails: task.sentEmails.filter((stage) => stage === 'initial'),
    };
    const saved = await this.deps.store.save(next, { version: task.version });
    return this.startWorkflow(
      saved,
      { taskId: task.id, approvalTimeoutSeconds: taskType.approvalTtlSeconds, tokenTimeoutSeconds: taskType.tokenWaitSeconds, resumeAt },
      resumeAt,
    );
  }

  listTokens(limit: number, cursor?: string): Promise<Page<SecretRecord>> {
    return this.deps.store.listSecrets('token', limit, cursor);
  }

  sweepExpiredTokens(): Promise<number> {
    return this.deps.store.deleteExpiredSecrets('token', this.now());
  }

  listNotifications(query: { acknowledged?: boolean; limit: number; cursor?: string }): Promise<Page<Notification>> {
    return this.deps.store.listNotifications(query);
  }

  async getNotification(id: string): Promise<Notification> {
    const notification = await this.deps.store.getNotification(id);
    if (!notification) throw new NotFoundError(`There is no notification ${id}.`);
    return notification;
  }

  /** Acknowledges notifications; unknown ids are reported back, already acknowledged ones left as they were. */
  async acknowledge(ids: readonly string[], by: Actor): Promise<{ acknowledged: string[]; unknown: string[] }> {
    const acknowledged: string[] = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const notification = await this.deps.store.getNotification(id);
      if (!notification) {
        unknown.push(id);
        continue;
      }
      if (!notification.acknowledged) {
        await this.deps.store.updateNotification({ ...notification, acknowledged: true, acknowledgedAt: this.now(), acknowledgedBy: by.id });
      }
      acknowledged.push(id);
    }
    return { acknowledged, unknown };
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The merged schema of the token data the task's actions asked for. */
  tokenSchema(task: Task): z.ZodObject {
    const shapes = task.actions
      .filter((record) => record.needsToken)
      .map((record) => tokenSchemaOf(this.deps.registry.action(record.name), record.tokenSchemaKey)?.shape ?? {});
    return z.strictObject(Object.assign({}, ...shapes));
  }

  private recipientOf(task: Task): string | undefined {
    for (const record of task.actions) {
      const action = this.deps.registry.action(record.name);
      const address = action.recipient?.(action.schema.parse(record.data), task);
      if (address) return address;
    }
    return undefined;
  }

  /** Emails the requester about a terminal status. Failures become error notifications, never lost silently. */
  private async tellRequester(task: Task, stage: 'completed' | 'rejected' | 'cancelled', context: Record<string, unknown>, options: { rethrow?: boolean } = {}) {
    const recipient = this.recipientOf(task);
    const taskType = this.taskTypeOf(task);
    try {
      await this.mail.send({ task, taskType, stage, recipients: recipient ? [recipient] : [], context });
      await this.markSent(task.id, stage);
    } catch (error) {
      if (options.rethrow) throw error;
      await this.notifier.notify({ task, taskType, kind: 'error', message: `The ${stage} email of task ${task.id} could not be sent.`, detail: describeError(error) });
    }
  }

  /**
   * Publishes the events of the transition `task` was just saved with. Never throws: the transition
   * happened, and a retried step would find it done and not publish again. A failure is logged and
   * becomes an operator error notification holding the events, to replay by hand.
   */
  private async announce(task: Task): Promise<void> {
    const events = lifecycleEventsOf(task);
    if (!this.deps.events || events.length === 0) return;
    try {
      await this.deps.events.publish(events);
    } catch (error) {
      this.onInternalError('Could not publish lifecycle events', error);
      await this.notifier.notify({
        task,
        taskType: this.taskTypeOf(task),
        kind: 'error',
        message: `The ${events.map((event) => event.detailType).join(', ')} event(s) of task ${task.id} could not be published; the detail holds them for a replay.`,
        detail: `${describeError(error)}\nEvents: ${JSON.stringify(events)}`,
      });
    }
  }

  private async markSent(taskId: string, stage: string): Promise<void> {
    const task = await this.getTask(taskId);
    await this.saveWithRetry(task, (current) => (current.sentEmails.includes(stage) ? undefined : { ...current, sentEmails: [...current.sentEmails, stage] }));
  }

  /** A task reaching a terminal state gets its TTL: archived `ttlMinutes` later. */
  private ended(task: Task): Task {
    const minutes = this.deps.config.trackActions === false ? 0 : (this.deps.config.ttlMinutes ?? 1440);
    const { wait: _wait, ...rest } = task;
    // Whole epoch seconds, also for fractional minutes (the local stack's tests use a TTL of seconds).
    return { ...rest, expiresAt: Math.floor(this.deps.ports.clock.now().getTime() / 1000 + minutes * 60) };
  }

  private async runSubmitAndComplete(task: Task, tokenData: Record<string, unknown>): Promise<Task> {
    const updated = await this.runAndSave(task, 'submit', tokenData);
    const invalid = invalidActions(updated);
    if (invalid.length > 0) throw new InvalidTaskError(`Task ${task.id} became invalid during submit: ${describeInvalid(invalid)}.`);
    const at = this.now();
    const completed = this.ended({
      ...transition(updated, { to: 'completed', by: SYSTEM, event: 'completed', at }),
      completedAt: at,
      durationMs: Date.parse(at) - Date.parse(updated.createdAt),
    });
    const saved = await this.deps.store.save(completed, { version: updated.version });
    await this.announce(saved);
    return saved;
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
}

/** Statuses, for validating filters. */
export const TASK_STATUSES = TaskStatusSchema.options;

function authorizeCreate(taskType: TaskType, requester: Identity | undefined): void {
  const { access } = taskType;
  if (access === 'public') return;
  if (!requester) throw new UnauthorizedError(`Creating a ${taskType.name} task needs a bearer token.`);
  if (access === 'authenticated') return;
  if (!access.roles.some((role) => requester.roles.includes(role))) {
    throw new ForbiddenError(`Creating a ${taskType.name} task needs one of the roles: ${access.roles.join(', ')}.`);
  }
}

/** JSON with object keys sorted, so equal data hashes equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );
}

/**
 * The duplicate key: type and each action's name and normalised (parsed) data; for types that need
 * a caller, also who asked (one project's quota request must not cancel another's, nor reveal it).
 */
export function duplicateHash(taskType: TaskType, data: readonly Record<string, unknown>[], requester: Identity | undefined): string {
  const scope = taskType.access === 'public' ? null : (requester?.sub ?? null);
  return createHash('sha256')
    .update(canonicalJson([taskType.name, scope, taskType.actions.map((name, index) => [name, data[index] ?? {}])]))
    .digest('hex');
}

const actorFor = (identity: Identity | undefined): Actor =>
  identity ? { kind: identity.roles.includes('admin') ? 'admin' : 'user', id: identity.sub } : { kind: 'user', id: 'anonymous' };

const isRequester = (task: Task, approver: { sub?: string; email?: string }): boolean =>
  task.createdBy !== null &&
  ((approver.sub !== undefined && approver.sub === task.createdBy.sub) ||
    (approver.email !== undefined && approver.email.toLowerCase() === task.createdBy.email?.toLowerCase()));

const isApprovedOrLater = (status: TaskStatus): boolean => status === 'approved' || status === 'awaiting_token' || status === 'completed';

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');

const summary = (task: Task) => ({ id: task.id, type: task.type, status: task.status, createdAt: task.createdAt });

const describeInvalid = (invalid: Task['actions']): string =>
  invalid.map((action) => `${action.name} (${action.notes.map((note) => note.text).join('; ') || 'no reason recorded'})`).join(', ');

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
