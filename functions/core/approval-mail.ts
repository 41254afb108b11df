import type { Approvers } from './approval-policy.ts';
import { type Approver, levelPath } from './approval-state.ts';
import type { Context } from './context.ts';
import { hashSecret } from './secrets.ts';
import type { Task } from './task.ts';
import { append, setAt, when, write } from './writes.ts';

/**
 * A level's emails: each approver's one-time link (approval, delegation, escalation, reminder),
 * and the record that the level's opening emails went (`mailedAt`; `approval` in `sentEmails`).
 */

/** Emails the level's approvers their links (a new link each), then records that they went (the level's `mailedAt`, and `approval` in `sentEmails`). */
export async function mailLevel(ctx: Context, task: Task, index: number, recipients: readonly Approver[], extra: Record<string, unknown> = {}, stage: 'approval' | 'reminder' = 'approval'): Promise<void> {
  await sendLinks(ctx, task, index, recipients, extra, stage);
  if (stage !== 'approval') return;
  await ctx.committer.commit(task.id, (current) =>
    current.approval?.levels[index]?.state === 'open' && current.approval.levels[index]?.mailedAt === undefined
      ? {
          write: write(
            setAt([...levelPath(index, 'mailedAt')], ctx.now()),
            current.sentEmails.includes('approval') ? {} : append('sentEmails', 'approval'),
            when({ path: [...levelPath(index, 'state')], equals: 'open' }),
          ),
          result: undefined,
        }
      : { result: undefined },
  );
}

/** One one-time link per approver with an address, for their vote at level `index`, each in an email of its own. */
export async function sendLinks(ctx: Context, task: Task, index: number, recipients: readonly Approver[], extra: Record<string, unknown>, stage: 'approval' | 'reminder'): Promise<void> {
  const taskType = ctx.deps.registry.taskType(task.type);
  const level = task.approval?.levels[index];
  if (!level) return;
  const at = ctx.now();
  const validUntil = new Date(Date.parse(task.wait?.since ?? at) + taskType.approvalTtlSeconds * 1000).toISOString();
  const round = task.wait?.round ?? task.rounds;
  for (const approver of recipients) {
    if (!approver.email) continue;
    const secret = ctx.makeSecret();
    await ctx.deps.secrets.put({ hash: hashSecret(secret), kind: 'approval', taskId: task.id, round, level: index, approver: approver.key, recipient: approver.email, createdAt: at, validUntil });
    await ctx.mail.send({
      task,
      taskType,
      stage,
      recipients: [approver.email],
      context: {
        link: `${ctx.deps.config.publicUrl}/v1/approvals/${secret}`,
        validUntil,
        approver: approver.email,
        level: levelSummary(task, index),
        ...extra,
      },
    });
  }
}

/** The level as emails show it: its name, its place among the levels that apply, quorum and due date. */
function levelSummary(task: Task, index: number) {
  const levels = task.approval?.levels ?? [];
  const applying = levels.filter((known) => known.state !== 'skipped');
  const level = levels[index];
  const number = applying.findIndex((known) => known === level) + 1;
  return { name: level?.name, number, of: applying.length, several: applying.length > 1, quorum: level?.quorum, due: level?.due };
}

export const describeApprovers = (approvers: Approvers): string =>
  [
    ...(approvers.roles ?? []).map((role) => `role ${role}`),
    ...(approvers.groups ?? []).map((group) => `group ${group}`),
    ...(approvers.emails ?? []),
    ...(approvers.resolver ? [`the ${approvers.resolver} of the task's project`] : []),
  ].join(', ');
