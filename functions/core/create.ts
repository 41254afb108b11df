import type { Context } from './context.ts';
import { cancel } from './cancel.ts';
import { claimDuplicateKey, duplicateHash } from './duplicates.ts';
import { ForbiddenError, InvalidTransitionError, UnauthorizedError } from './errors.ts';
import { type Actor, type Identity, SYSTEM } from './identity.ts';
import type { TaskType } from './task-type.ts';
import type { Task } from './task.ts';
import { type Client, enforceLimits } from './limits.ts';
import { recipientOf } from './requester-mail.ts';
import { startWorkflow } from './workflow-start.ts';

/**
 * Validates a new task, counts it against its type's limits, stores it, resolves duplicates (a
 * `uniform` type's in its first step instead: see settleUniformDuplicate), then starts its workflow.
 */
export async function createTask(ctx: Context, typeName: string, data: unknown, requester: Identity | undefined, client: Client = {}): Promise<Task> {
  const { registry, workflow } = ctx.deps;
  const taskType = registry.taskType(typeName);
  authorizeCreate(taskType, requester);
  const actionData = registry.parseInput(taskType, data);
  const at = ctx.now();
  const id = ctx.deps.newId();
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
  const replaced = taskType.response === 'uniform' ? [] : await claimDuplicateKey(ctx, taskType, hash, id);
  await ctx.committer.create(task);
  for (const older of replaced) {
    await cancel(ctx, older, SYSTEM, `Replaced by a newer identical request, task ${id}.`).catch((error: unknown) => {
      if (!(error instanceof InvalidTransitionError)) throw error;
    });
  }
  return startWorkflow(ctx, task, { taskId: id, approvalTimeoutSeconds: taskType.approvalTtlSeconds, tokenTimeoutSeconds: taskType.tokenWaitSeconds });
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
