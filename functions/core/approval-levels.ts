import type { ApprovalLevel, Approvers } from './approval-policy.ts';
import { type Approver, type ApprovalState, awaitingOf, isSamePerson, keyOf, type LevelState, levelPath, nextAtOf } from './approval-state.ts';
import type { Context } from './context.ts';
import { after } from './durations.ts';
import { SYSTEM, type Actor } from './identity.ts';
import { describeApprovers, mailLevel } from './approval-mail.ts';
import type { TaskType } from './task-type.ts';
import type { HistoryEntry, Task } from './task.ts';
import { append, set, setAt, when, write, type Write } from './writes.ts';

export { describeApprovers, mailLevel, sendLinks } from './approval-mail.ts';

/**
 * The levels of a task's approval policy as they open: who the approvers are (resolved from the
 * user pool and the task's project when the level opens), their links and emails, and the history
 * entry of each step. Votes are in approval-votes.ts; reminders and deadlines in approval-schedule.ts.
 */

/** The state a task's approval starts from: every level waiting, `onlyWhenAsked` levels no action asked for skipped. */
export function planApproval(taskType: TaskType, task: Task): ApprovalState {
  const asked = new Set(task.actions.flatMap((action) => action.approvalLevels ?? []));
  const levels = taskType.approval.levels.map((level): LevelState => {
    const skipped = level.onlyWhenAsked && !asked.has(level.name);
    return {
      name: level.name,
      quorum: level.quorum,
      state: skipped ? 'skipped' : 'waiting',
      approvers: [],
      votes: {},
      revision: 0,
      ...(skipped ? { reason: 'No action asked for this level.' } : {}),
    };
  });
  return { level: Math.max(0, levels.findIndex((level) => level.state !== 'skipped')), levels };
}

/** The declared level of that name (a policy overridden since the task started may lack it: then any one admin). */
export const levelDefinition = (taskType: TaskType, name: string): ApprovalLevel =>
  taskType.approval.levels.find((level) => level.name === name) ?? { name, approvers: { roles: ['admin'] }, quorum: 1, reminders: [], onDeadline: 'reject', onlyWhenAsked: false };

/**
 * The people `approvers` names, each once (by account or address), without the requester unless
 * the type allows self-approval.
 */
export async function resolveApprovers(ctx: Context, task: Task, taskType: TaskType, approvers: Approvers, via?: string): Promise<Approver[]> {
  const { directory } = ctx.deps.ports;
  const found: Approver[] = [];
  const add = (person: { sub?: string; email?: string }, source: string) => {
    if (found.some((known) => isSamePerson(known, person))) return;
    if (!taskType.allowSelfApproval && task.createdBy && isSamePerson({ sub: task.createdBy.sub, ...(task.createdBy.email ? { email: task.createdBy.email } : {}) }, person)) return;
    found.push({ key: keyOf(person), ...(person.email ? { email: person.email.toLowerCase() } : {}), ...(person.sub ? { sub: person.sub } : {}), via: via ?? source });
  };
  for (const role of approvers.roles ?? []) for (const account of await directory.usersInGroup(role)) add(account, `role:${role}`);
  for (const group of approvers.groups ?? []) for (const account of await directory.usersInGroup(group)) add(account, `group:${group}`);
  for (const email of approvers.emails ?? []) add({ email }, 'email');
  if (approvers.resolver === 'project-admins' && task.projectId !== undefined) {
    for (const account of await directory.projectMembersWithRole(task.projectId, 'project_admin')) add(account, 'project-admins');
  }
  return found;
}

/** A history entry that changes no status: a vote, a level opening, a reminder, an escalation, a delegation. */
export const approvalEntry = (task: Task, input: { by: Actor; event: string; at: string; reason: string }): HistoryEntry => ({ ...input, from: task.status, to: task.status });


/**
 * The write that replaces level `index` of the state (and what follows from it: `nextAt`,
 * `awaiting`), on the level's revision as `task` has it.
 */
export function levelWrite(task: Task, state: ApprovalState, index: number, changed: LevelState): Partial<Write> {
  const seen = state.levels[index]?.revision ?? 0;
  const level = { ...changed, revision: seen + 1 };
  const levels = state.levels.map((known, position) => (position === index ? level : known));
  const next: ApprovalState = { ...state, levels };
  const nextAt = level.state === 'open' ? nextAtOf(level) : undefined;
  if (task.approval === undefined) {
    const { nextAt: _unused, ...rest } = next;
    return write(set({ approval: nextAt === undefined ? rest : { ...rest, nextAt }, awaiting: awaitingOf(next) }));
  }
  return write(
    when({ path: [...levelPath(index, 'revision')], equals: seen }),
    setAt([...levelPath(index)], level),
    setAt(['awaiting'], awaitingOf(next)),
    nextAt === undefined ? { remove: [['approval', 'nextAt']] } : setAt(['approval', 'nextAt'], nextAt),
  );
}

/** A level about to open: its approvers looked up, its times set, the history entry of its opening. */
export interface LevelOpening {
  readonly index: number;
  readonly state: ApprovalState;
  readonly level: LevelState;
  readonly entry: HistoryEntry;
  readonly definition: ApprovalLevel;
}

/**
 * What opening the level `task`'s approval is at would write, if that level waits: its approvers
 * resolved (from the user pool and the task's project), deadline and reminders from now. Undefined
 * when the task is not pending or its level is not waiting.
 */
export async function planOpening(ctx: Context, task: Task): Promise<LevelOpening | undefined> {
  if (task.status !== 'pending') return undefined;
  const taskType = ctx.deps.registry.taskType(task.type);
  const state = task.approval ?? planApproval(taskType, task);
  const index = state.level;
  const waiting = state.levels[index];
  if (!waiting || waiting.state !== 'waiting') return undefined;
  const definition = levelDefinition(taskType, waiting.name);
  const approvers = await resolveApprovers(ctx, task, taskType, definition.approvers);
  const at = ctx.now();
  const level: LevelState = {
    ...waiting,
    state: 'open',
    openedAt: at,
    approvers,
    ...(definition.reminders.length === 0 ? {} : { reminderTimes: definition.reminders.map((reminder) => after(at, reminder)) }),
    ...(definition.deadline === undefined ? {} : { due: after(at, definition.deadline) }),
  };
  const due = level.due === undefined ? '' : `, due ${level.due}`;
  const entry = approvalEntry(task, { by: SYSTEM, event: 'level-opened', at, reason: `Level ${waiting.name} opened: ${waiting.quorum} of ${approvers.length} approver(s) needed${due}.` });
  return { index, state, level, entry, definition };
}

/**
 * The write of an opening planned on `planned`, if `current` still waits at that level (else
 * undefined: someone else opened it, or the task moved on). `mailedAt` claims its emails in the
 * same write (the approval step does; see awaitApproval).
 */
export function openingWrite(current: Task, planned: Task, opening: LevelOpening, mailedAt?: string): Write | undefined {
  const { index } = opening;
  if (current.status !== 'pending' || current.approval?.level !== planned.approval?.level || current.approval?.levels[index]?.state !== planned.approval?.levels[index]?.state) return undefined;
  return write(
    levelWrite(planned, opening.state, index, mailedAt === undefined ? opening.level : { ...opening.level, mailedAt }),
    append('history', opening.entry),
    when({ path: ['status'], equals: 'pending' }),
    planned.approval === undefined ? when({ path: ['approval'], exists: false }) : write(when({ path: ['approval', 'level'], equals: index }), when({ path: [...levelPath(index, 'state')], equals: 'waiting' })),
  );
}

/**
 * Opens the level the task's approval is at, if it waits (a vote that met the quorum of the one
 * before): resolves its approvers, sets its deadline and reminders, in one write (so of two openers
 * one wins), then emails each approver a link of their own and records that they went (the
 * reconciler sends them again if that record is missing a minute later). Answers the task.
 */
export async function openCurrentLevel(ctx: Context, taskId: string, read?: Task): Promise<Task> {
  const task = read ?? (await ctx.committer.read(taskId));
  const opening = await planOpening(ctx, task);
  if (!opening) return task;
  const committed = await ctx.committer.commit(taskId, (current) => {
    const planned = openingWrite(current, task, opening);
    return planned ? { write: planned, result: true } : { result: false };
  });
  if (!committed.result) return committed.task;
  await mailLevel(ctx, committed.task, opening.index, opening.level.approvers);
  await tellOperatorsIfShort(ctx, committed.task, opening);
  return ctx.committer.read(taskId);
}

/** A level with fewer approvers than its quorum opens anyway (an escalation or a delegation may still help) and tells the operators. */
export async function tellOperatorsIfShort(ctx: Context, task: Task, opening: LevelOpening): Promise<void> {
  const { level, definition } = opening;
  if (level.approvers.length >= level.quorum) return;
  await ctx.notifier.notify({
    task,
    taskType: ctx.deps.registry.taskType(task.type),
    kind: 'error',
    message: `Level ${level.name} of task ${task.id} needs ${level.quorum} approval(s) but has ${level.approvers.length} approver(s): add people to its approvers (${describeApprovers(definition.approvers)}), or cancel the task.`,
  });
}
