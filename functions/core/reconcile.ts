import type { ReconcileReport } from '#ports/reconcile-report';
import type { ExecutionStatus } from '#ports/workflow';
import { runApprovalSchedule, type ScheduledOutcome } from './approval-schedule.ts';
import type { Context } from './context.ts';
import { failTask } from './failure.ts';
import { isDrivenBy, isOpen, OPEN_STATUSES } from './outbox.ts';
import type { StateName } from './state-names.ts';
import type { Task } from './task.ts';
import { workflowInputOf } from './workflow-input.ts';

/** A task written this recently may still be starting or moving on: it is left for the next run. @default 120 */
export const DEFAULT_GRACE_SECONDS = 120;
/** The error a task whose execution ended behind its back fails with. */
export const WORKFLOW_ENDED = 'Assent.WorkflowEnded';
const PAGE_SIZE = 100;

export interface ReconcileOptions {
  /** Open tasks written less than this long ago are not checked. @default DEFAULT_GRACE_SECONDS */
  readonly graceSeconds?: number;
}

/** Open tasks checked (past the grace period), stranded ones started, resumed or failed; what the approval schedule did. */
export type ReconcileCounts = Omit<ReconcileReport, 'at'>;

/**
 * The reconciler: every open task (pending, approved, awaiting_token) unchanged for the grace
 * period is checked against its current execution. One that never started is started (same name
 * and input as the request's: idempotent); one that ended while the task is open is failed through
 * the failure phase, which tells the operators and makes it retryable; one approved while its
 * execution still waits for the decision (the decider died before telling it) is resumed with it.
 * Every pending task also gets its approval schedule run, however recently it was written (see
 * approval-schedule.ts: reminders, deadlines, escalation, lost level emails); one the schedule
 * changed is left for the next run's check. Records the counts.
 */
export async function reconcile(ctx: Context, options: ReconcileOptions = {}): Promise<ReconcileCounts> {
  const cutoff = ctx.deps.ports.clock.now().getTime() - (options.graceSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
  const counts = { checked: 0, started: 0, resumed: 0, failed: 0, reminded: 0, escalated: 0, deadlineEnded: 0, remailed: 0 };
  for (const status of OPEN_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await ctx.deps.tasks.list({ status, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      const scheduled = new Set<string>();
      for (const task of page.items.filter((candidate) => candidate.status === 'pending' && candidate.approval?.level !== undefined)) {
        const outcome = await runApprovalSchedule(ctx, task).catch((error: unknown) => {
          ctx.onInternalError(`The approval schedule of task ${task.id} failed; the next run tries again`, error);
          return undefined;
        });
        if (outcome) {
          counts[SCHEDULE_COUNTS[outcome]] += 1;
          scheduled.add(task.id);
        }
      }
      for (const task of page.items.filter((candidate) => !scheduled.has(candidate.id) && Date.parse(candidate.updatedAt) <= cutoff && isDrivenBy(ctx, candidate))) {
        counts.checked += 1;
        const outcome = await repair(ctx, task).catch((error: unknown) => {
          ctx.onInternalError(`Reconciling task ${task.id} failed; the next run tries again`, error);
          return undefined;
        });
        if (outcome) counts[outcome] += 1;
      }
      cursor = page.cursor;
    } while (cursor);
  }
  await ctx.deps.reconcileReports?.save({ at: ctx.now(), ...counts });
  return counts;
}

const SCHEDULE_COUNTS = { reminded: 'reminded', escalated: 'escalated', rejected: 'deadlineEnded', cancelled: 'deadlineEnded', mailed: 'remailed' } as const satisfies Record<ScheduledOutcome, keyof ReconcileCounts>;

async function repair(ctx: Context, task: Task): Promise<'started' | 'resumed' | 'failed' | undefined> {
  const { workflow } = ctx.deps;
  const status = await workflow.describe(task.executionArn ?? workflow.executionArn(task.id, task.attempt));
  if (status === 'RUNNING') return waitsForItsDecision(task) ? resumeDecided(ctx, task) : undefined;
  // Read again: a task that moved on since the list (ended, or retried into a new execution) is not stranded.
  const current = await ctx.deps.tasks.get(task.id);
  if (!current || !isOpen(current) || current.attempt !== task.attempt) return undefined;
  const taskType = ctx.taskTypeOf(current);
  if (status === 'MISSING' && taskType) {
    await workflow.start(workflowInputOf(current, taskType), current.attempt);
    return 'started';
  }
  const cause = status === 'MISSING' ? `The workflow never started and cannot be: task type ${current.type} is not declared` : endedCause(status, current);
  const failed = await failTask(ctx, current.id, resumeStateOf(current), { Error: WORKFLOW_ENDED, Cause: cause });
  return failed.status === 'failed' ? 'failed' : undefined;
}

/** Approved, and its wait is still the approval's: nobody told the execution (its decider died in between). */
const waitsForItsDecision = (task: Task): boolean => task.status === 'approved' && task.wait?.kind === 'approval';

/** Tells the waiting execution the decision that was saved; answers 'resumed' if it was still waiting for it. */
async function resumeDecided(ctx: Context, task: Task): Promise<'resumed' | undefined> {
  const current = await ctx.deps.tasks.get(task.id);
  if (!current || !waitsForItsDecision(current) || current.attempt !== task.attempt || !current.wait) return undefined;
  return (await ctx.deps.workflow.resume(current.wait.sfnToken, { decision: 'approved' })) ? 'resumed' : undefined;
}

const endedCause = (status: Exclude<ExecutionStatus, 'RUNNING' | 'MISSING'>, task: Task): string => `The workflow ended (${status}) while the task was ${task.status}.`;

/** The state a task stranded in this status was in (or waiting in): what its failure names. */
const resumeStateOf = (task: Task): StateName => (task.status === 'pending' ? 'AwaitApproval' : 'AwaitToken');
