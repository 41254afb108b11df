import { approvalEntry, levelDefinition, levelWrite, mailLevel, openCurrentLevel, resolveApprovers, sendLinks } from './approval-levels.ts';
import { tellWorkflowDecided } from './approval.ts';
import { activeApprovers, approvalsAt, isSamePerson, openLevel, type LevelState } from './approval-state.ts';
import type { Context } from './context.ts';
import { SYSTEM } from './identity.ts';
import { recordResend, tellRequester } from './requester-mail.ts';
import type { Task } from './task.ts';
import { append, moveTo, when, write } from './writes.ts';

/** What the schedule did to one task. */
export type ScheduledOutcome = 'reminded' | 'escalated' | 'rejected' | 'cancelled' | 'mailed';

/** An open level whose emails have not gone out this long after it opened lost them (a crash between): they are sent again. */
export const UNMAILED_GRACE_SECONDS = 60;

/**
 * The approval policy's clock, run by the reconciler on every pending task: a level the approval
 * moved to but nobody could open (it is opened, its approvers emailed), the open level's emails if
 * they were lost, its
 * reminders that fell due (one email per approver who has not voted, however many fell due since
 * the last run, each reminder recorded once), then its deadline (once): the task rejected or
 * cancelled, or the escalation's approvers join the level and get its email. Each is claimed by
 * its write (on the level's revision) before any email goes, so two runs never both send.
 */
export async function runApprovalSchedule(ctx: Context, task: Task): Promise<ScheduledOutcome | undefined> {
  const open = openLevel(task.approval);
  const now = ctx.now();
  if (task.status === 'pending' && !open && levelLeftWaiting(task, now)) {
    // The vote that approved the level before it could not open this one (a directory or mail outage).
    const opened = await openCurrentLevel(ctx, task.id, task);
    return openLevel(opened.approval) ? 'mailed' : undefined;
  }
  if (task.status !== 'pending' || !open) return undefined;
  if (open.level.mailedAt === undefined && open.level.openedAt !== undefined && Date.parse(now) - Date.parse(open.level.openedAt) >= UNMAILED_GRACE_SECONDS * 1000) {
    await recordResend(ctx, task.id, 'approval', task.wait?.round ?? task.rounds, false);
    await mailLevel(ctx, task, open.index, pendingApprovers(open.level));
    return 'mailed';
  }
  if (task.approval?.nextAt === undefined || task.approval.nextAt > now) return undefined;
  if (open.level.due !== undefined && open.level.due <= now && open.level.escalatedAt === undefined) return deadline(ctx, task, open.index, open.level, now);
  return remind(ctx, task, open.index, now);
}

/** The level the approval is at still waits, a minute after the write that moved the approval to it. */
const levelLeftWaiting = (task: Task, now: string): boolean =>
  task.wait?.kind === 'approval' && task.approval?.levels[task.approval.level]?.state === 'waiting' && Date.parse(now) - Date.parse(task.updatedAt) >= UNMAILED_GRACE_SECONDS * 1000;

const pendingApprovers = (level: LevelState) => activeApprovers(level).filter((approver) => !level.votes[approver.key]);

/** The open level `index` of the task as it is now, if the task is still pending there. */
const levelNow = (current: Task, index: number): LevelState | undefined =>
  current.status === 'pending' && current.approval?.level === index && current.approval.levels[index]?.state === 'open' ? current.approval.levels[index] : undefined;

/** The write that replaces the open level `index` with `changed` (computed from the task as it is now). */
const rewrite = (current: Task, index: number, changed: LevelState) =>
  write(levelWrite(current, current.approval as NonNullable<Task['approval']>, index, changed), when({ path: ['status'], equals: 'pending' }), when({ path: ['approval', 'level'], equals: index }));

async function remind(ctx: Context, task: Task, index: number, now: string): Promise<ScheduledOutcome | undefined> {
  const claimed = await ctx.committer.commit(
    task.id,
    (current) => {
      const known = levelNow(current, index);
      const due = known ? (known.reminderTimes ?? []).slice(known.remindersSent?.length ?? 0).filter((time) => time <= now) : [];
      if (!known || due.length === 0 || known.escalatedAt !== undefined) return { result: undefined };
      const recipients = pendingApprovers(known);
      const sent = [...(known.remindersSent ?? []), ...due.map(() => now)];
      const entry = approvalEntry(current, {
        by: SYSTEM,
        event: 'reminded',
        at: now,
        reason: `Level ${known.name}: reminder ${sent.length} of ${known.reminderTimes?.length ?? 0} sent to ${recipients.map((approver) => approver.email ?? approver.key).join(', ') || 'nobody (everyone voted)'}.`,
      });
      return { write: write(rewrite(current, index, { ...known, remindersSent: sent }), append('history', entry)), result: { recipients, number: sent.length } };
    },
    { current: task },
  );
  if (!claimed.result) return undefined;
  await sendLinks(ctx, claimed.task, index, claimed.result.recipients, { reminder: claimed.result.number }, 'reminder');
  return 'reminded';
}

async function deadline(ctx: Context, task: Task, index: number, level: LevelState, now: string): Promise<ScheduledOutcome | undefined> {
  const taskType = ctx.deps.registry.taskType(task.type);
  const definition = levelDefinition(taskType, level.name);
  if (definition.onDeadline === 'escalate' && definition.escalateTo) {
    const found = await resolveApprovers(ctx, task, taskType, definition.escalateTo, 'escalation');
    const claimed = await ctx.committer.commit(
      task.id,
      (current) => {
        const known = levelNow(current, index);
        if (!known || known.escalatedAt !== undefined) return { result: undefined };
        const joining = found.filter((person) => !known.approvers.some((approver) => approver.key === person.key || isSamePerson(approver, person)));
        const entry = approvalEntry(current, {
          by: SYSTEM,
          event: 'escalated',
          at: now,
          reason: `Level ${known.name}: the deadline ${known.due} passed with ${progressOf(known)}; escalated to ${joining.map((approver) => approver.email ?? approver.key).join(', ') || 'nobody new (everyone named is an approver already)'}.`,
        });
        const escalated: LevelState = { ...known, approvers: [...known.approvers, ...joining], escalatedAt: now, escalatedTo: joining.map((approver) => approver.key) };
        return { write: write(rewrite(current, index, escalated), append('history', entry)), result: joining };
      },
      { current: task },
    );
    if (!claimed.result) return undefined;
    await sendLinks(ctx, claimed.task, index, claimed.result, { escalated: true }, 'approval');
    return 'escalated';
  }
  const to = definition.onDeadline === 'cancel' ? 'cancelled' : 'rejected';
  const ended = await ctx.committer.commit(
    task.id,
    (current) => {
      const known = levelNow(current, index);
      if (!known) return { result: undefined };
      const reason = `Level ${known.name}: the deadline ${known.due} passed with ${progressOf(known)}.`;
      return {
        write: write(rewrite(current, index, { ...known, state: 'closed', reason }), moveTo(current, { to, by: SYSTEM, event: 'deadline-passed', at: now, reason })),
        result: { wait: current.wait, reason },
      };
    },
    { current: task },
  );
  if (!ended.result) return undefined;
  let decided = ended.task;
  if (ended.result.wait?.kind === 'approval') decided = await tellWorkflowDecided(ctx, decided, ended.result.wait.sfnToken);
  await tellRequester(ctx, decided, to, { reason: ended.result.reason });
  return to;
}

const progressOf = (level: LevelState) => `${approvalsAt(level)} of ${level.quorum} approval(s)`;
