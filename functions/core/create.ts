import type { Context } from './context.ts';
import { cancel } from './cancel.ts';
import { claimDuplicateKey, duplicateHash } from './duplicates.ts';
import { ForbiddenError, InvalidTransitionError, UnauthorizedError } from './errors.ts';
import { type Actor, type Identity, SYSTEM } from './identity.ts';
import type { TaskType } from './task-type.ts';
import type { Task } from './task.ts';
import { type Client, enforceLimits } from './limits.ts';
import { recipientOf } from './requester-mail.ts';
import { isDrivenBy, isOpen } from './outbox.ts';
import { workflowInputOf } from './workflow-input.ts';
import { startWorkflow } from './workflow-start.ts';

export interface CreateTaskOptions {
  /** The task's id, chosen beforehand (an `Idempotency-Key`'s: core/idempotency.ts `idFor`). @default - a new id */
  readonly id?: string;
  /**
   * Whether an earlier run of the same request may have got part of the way already (it died, and
   * this retry runs after its key's in-progress record expired): a task of that id is then answered,
   * its workflow started (the same execution: once), instead of created again; a duplicate key it
   * claimed counts as this task's.
   * @default false
   */
  readonly resume?: boolean;
}

/**
 * Validates a new task, counts it against its type's limits, stores it, resolves duplicates (a
 * `uniform` type's in its first step instead: see settleUniformDuplicate), then starts its workflow.
 * With `resume`, a task of the reserved id that exists already is started and answered instead.
 */
export async function createTask(
  ctx: Context,
  typeName: string,
  data: unknown,
  requester: Identity | undefined,
  client: Client = {},
  options: CreateTaskOptions = {},
): Promise<Task> {
  const { registry, workflow } = ctx.deps;
  const taskType = registry.taskType(typeName);
  authorizeCreate(taskType, requester);
  const actionData = registry.parseInput(taskType, data);
  const id = options.id ?? ctx.deps.newId();
  const resume = options.resume === true && options.id !== undefined;
  if (resume) {
    const existing = await ctx.deps.tasks.get(id);
    if (existing) return resumeCreated(ctx, existing, taskType);
  }
  const at = ctx.now();
  const hash = duplicateHash(taskType, actionData, requester);
  const task: Task = {
    id,
    type: taskType.name,
    status: 'pending',
    actions: taskType.actions.map((name, index) => ({
      name,
      data: actionData[index] ?? {},
      valid: null,
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
    dataRevision: 0,
    rounds: 0,
    version: 0,
  };
  await enforceLimits(ctx, taskType, recipientOf(ctx, task), client);
  // A resumed request may have claimed the key for this id before it died: that claim is this task's.
  const replaced = taskType.response === 'uniform' ? [] : await claimDuplicateKey(ctx, taskType, hash, id, resume ? id : undefined);
  await ctx.committer.create(task);
  for (const older of replaced) {
    await cancel(ctx, older, SYSTEM, `Replaced by a newer identical request, task ${id}.`).catch((error: unknown) => {
      if (!(error instanceof InvalidTransitionError)) throw error;
    });
  }
  return startWorkflow(ctx, task, { taskId: id, approvalTimeoutSeconds: taskType.approvalTtlSeconds, tokenTimeoutSeconds: taskType.tokenWaitSeconds });
}

/**
 * The task a request that died created: its workflow is started as create would have (the same name
 * and input, so an execution already started is found, not repeated), unless the task has moved on.
 */
function resumeCreated(ctx: Context, task: Task, taskType: TaskType): Promise<Task> {
  if (!isOpen(task) || !isDrivenBy(ctx, task)) return Promise.resolve(task);
  return startWorkflow(ctx, task, workflowInputOf(task, taskType));
}

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
