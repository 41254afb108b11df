import type * as z from 'zod';
import { type ApprovalState, approvalsAt, type LevelState } from '#core/approval-state';
import type { TokenState } from '#core/queries';
import type { Task } from '#core/task';
import type { AdminTaskViewSchema, ApprovalProgressSchema, ApprovalStateViewSchema, ApprovalViewSchema, ApproverTaskViewSchema, RequesterTaskView, TokenViewSchema } from './view-schemas.ts';

/* Each view answers the shape of its schema in view-schemas.ts, which /v1/openapi.json documents: the return types keep the two together. */

/** A task as admins see it: everything but the Step Functions token and the inbox's lookup keys; its approval readable. */
export function adminTaskView(task: Task): z.output<typeof AdminTaskViewSchema> {
  const { wait, tokenUse, awaiting: _keys, approval, ...rest } = task;
  return {
    ...rest,
    ...(approval ? { approval: approvalStateView(approval) } : {}),
    ...(wait ? { waitingFor: wait.kind, waitingSince: wait.since } : {}),
    ...(tokenUse ? { tokenSubmittedAt: tokenUse.at } : {}),
  };
}

const who = (level: LevelState, key: string) => level.approvers.find((approver) => approver.key === key)?.email ?? key;

/**
 * A task's approval as admins read it: the level it is at, and each level with its approvers,
 * votes (who, when, how, why) in the order cast, due date, reminders, delegations and escalation.
 */
export function approvalStateView(state: ApprovalState): z.output<typeof ApprovalStateViewSchema> {
  return {
    level: state.levels[state.level]?.name,
    ...(state.nextAt ? { nextAt: state.nextAt } : {}),
    levels: state.levels.map((level) => ({
      name: level.name,
      state: level.state,
      quorum: level.quorum,
      approvals: approvalsAt(level),
      ...(level.openedAt ? { openedAt: level.openedAt } : {}),
      ...(level.due ? { due: level.due } : {}),
      approvers: level.approvers.map((approver) => ({ email: approver.email ?? approver.key, via: approver.via, ...(approver.onBehalfOf ? { onBehalfOf: approver.onBehalfOf } : {}) })),
      votes: Object.entries(level.votes)
        .sort(([, a], [, b]) => a.at.localeCompare(b.at))
        .map(([key, vote]) => ({ by: who(level, key), decision: vote.decision, at: vote.at, via: vote.via, ...(vote.reason ? { reason: vote.reason } : {}), ...(vote.onBehalfOf ? { onBehalfOf: vote.onBehalfOf } : {}) })),
      reminders: { at: level.reminderTimes ?? [], sent: level.remindersSent ?? [] },
      delegations: (level.delegations ?? []).map((delegation) => ({ ...delegation, from: who(level, delegation.from), to: who(level, delegation.to) })),
      ...(level.escalatedAt ? { escalatedAt: level.escalatedAt, escalatedTo: (level.escalatedTo ?? []).map((key) => who(level, key)) } : {}),
      ...(level.reason ? { reason: level.reason } : {}),
    })),
  };
}

/**
 * Where a task's approval stands without who: each level's state and quorum progress, due date.
 * What a requester, and a caller whose vote was just counted, see.
 */
export function approvalProgressView(state: ApprovalState): z.infer<typeof ApprovalProgressSchema> {
  return {
    level: state.levels[state.level]?.name,
    levels: state.levels.map((level) => ({ name: level.name, state: level.state, quorum: level.quorum, approvals: approvalsAt(level), ...(level.due ? { due: level.due } : {}) })),
  };
}

/**
 * A task as its requester sees it, and as its project's admins list it: what was asked for and
 * where it stands. No notes (they may hold operators' remarks), no failure detail, no approver
 * identities.
 */
export function requesterTaskView(task: Task): RequesterTaskView {
  return {
    id: task.id,
    type: task.type,
    status: task.status,
    ...(task.projectId === undefined ? {} : { projectId: task.projectId }),
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    ...(task.completedAt ? { completedAt: task.completedAt } : {}),
    actions: task.actions.map((action) => ({ name: action.name, data: action.data })),
    history: task.history.map((entry) => ({ at: entry.at, event: entry.event, status: entry.to })),
    ...(task.approval ? { approval: approvalProgressView(task.approval) } : {}),
  };
}

/**
 * What an approver sees of a task their approval names (`GET /v1/tasks/{id}` with their token):
 * the request with its validity and notes, who asked, where it stands and the approval's
 * progress (no other approvers' identities).
 */
export function approverTaskView(task: Task): z.output<typeof ApproverTaskViewSchema> {
  return {
    ...approvalView(task),
    updatedAt: task.updatedAt,
    ...(task.createdBy?.email ? { requester: task.createdBy.email } : {}),
    ...(task.projectId === undefined ? {} : { projectId: task.projectId }),
    history: task.history.map((entry) => ({ at: entry.at, event: entry.event, status: entry.to })),
    ...(task.approval ? { approval: approvalProgressView(task.approval) } : {}),
  };
}

/** What an approver sees through a link: the request, its validity and notes. */
export function approvalView(task: Task): z.output<typeof ApprovalViewSchema> {
  return {
    id: task.id,
    type: task.type,
    status: task.status,
    createdAt: task.createdAt,
    actions: task.actions.map((action) => ({
      name: action.name,
      data: action.data,
      valid: action.valid,
      notes: action.notes,
    })),
  };
}

/** A token as admins see it: never the secret, only the first characters of its hash. */
export function tokenView({ secret, state, usedAt, revokedReason }: TokenState): z.output<typeof TokenViewSchema> {
  return {
    id: secret.hash.slice(0, 12),
    taskId: secret.taskId,
    state,
    createdAt: secret.createdAt,
    validUntil: secret.validUntil,
    ...(usedAt ? { usedAt } : {}),
    ...(revokedReason ? { revokedReason } : {}),
  };
}
