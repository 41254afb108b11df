import * as z from 'zod';
import { ActorSchema } from './identity.ts';

/**
 * Where a task's approval stands (DESIGN §1, §3): its policy's levels as they ran, who may vote at
 * each, the votes, reminders, escalation and delegations. Kept on the task, written through the
 * committer like everything else; votes are a map keyed by approver, so "not yet cast" is a
 * condition of the write.
 */

/** How an approver came to be one: the policy's `role:<r>`, `group:<g>`, `email`, `project-admins`, or `escalation`/`delegation`. */
export const ApproverSchema = z.object({
  /** Who, as votes are keyed: the lowercased address, or `sub:<id>` for an account without one. */
  key: z.string(),
  email: z.string().optional(),
  sub: z.string().optional(),
  via: z.string(),
  /** A delegate: the approver who handed their vote over. */
  onBehalfOf: z.string().optional(),
});
export type Approver = z.infer<typeof ApproverSchema>;

/** How a vote was cast: the API, an emailed link, or the inbox's bulk decisions. */
export const VOTE_CHANNELS = ['api', 'link', 'inbox'] as const;

/** One vote, kept in its level's `votes` under the key of who cast it. */
export const VoteSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  at: z.string(),
  reason: z.string().optional(),
  via: z.enum(VOTE_CHANNELS),
  onBehalfOf: z.string().optional(),
});
export type Vote = z.infer<typeof VoteSchema>;

export const DelegationSchema = z.object({ from: z.string(), to: z.string(), at: z.string(), reason: z.string().optional() });
export type Delegation = z.infer<typeof DelegationSchema>;

export const LEVEL_STATES = ['waiting', 'open', 'approved', 'rejected', 'skipped', 'closed'] as const;

export const LevelStateSchema = z.object({
  name: z.string(),
  quorum: z.number().int().positive(),
  /**
   * `waiting` until its turn; `open` from the write that resolved its approvers (and claimed their
   * emails); `approved` at its quorum; `rejected` at a reject; `skipped`: an `onlyWhenAsked` level
   * no action asked for; `closed`: the task ended otherwise (a deadline, a cancel).
   */
  state: z.enum(LEVEL_STATES),
  openedAt: z.string().optional(),
  /** When its approvers' emails went out (absent: not yet, or a crash between; the reconciler sends them). */
  mailedAt: z.string().optional(),
  /** When its deadline falls (absent: none). */
  due: z.string().optional(),
  /**
   * When each reminder falls, in order; `remindersSent` of them went out. Absent when empty (as
   * `delegations`): a task item's every write is billed by its size.
   */
  reminderTimes: z.array(z.string()).optional(),
  remindersSent: z.array(z.string()).optional(),
  approvers: z.array(ApproverSchema).default([]),
  votes: z.record(z.string(), VoteSchema).default({}),
  /**
   * Incremented by every write of the level (a vote, a delegation, a reminder, the escalation), each
   * conditioned on the revision it read: the level is written whole, so concurrent writers of one
   * level decide again on what the other wrote (the vote that completes the quorum knows it does).
   */
  revision: z.number().int().default(0),
  delegations: z.array(DelegationSchema).optional(),
  escalatedAt: z.string().optional(),
  /** Keys of the approvers the escalation added. */
  escalatedTo: z.array(z.string()).optional(),
  /** Why it was skipped or closed. */
  reason: z.string().optional(),
});
export type LevelState = z.infer<typeof LevelStateSchema>;

export const ApprovalStateSchema = z.object({
  /** The index of the level that runs now (the last one when the task is decided). */
  level: z.number().int().nonnegative(),
  levels: z.array(LevelStateSchema).min(1),
  /** When the reconciler has something to do (the next reminder or the deadline of the open level). */
  nextAt: z.string().optional(),
});
export type ApprovalState = z.infer<typeof ApprovalStateSchema>;

/** A vote queued while the task validated (before its first level opened): cast when it opens. */
export const QueuedVoteSchema = z.object({
  voter: z.object({ sub: z.string().optional(), email: z.string().optional() }),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().optional(),
  via: z.enum(VOTE_CHANNELS),
  at: z.string(),
  /** How the vote is written when it is cast (an admin's API vote as `admin`). */
  actor: ActorSchema.optional(),
});
export type QueuedVote = z.infer<typeof QueuedVoteSchema>;

/** Who votes: an account (its `sub`, maybe its address) or an address (a link's recipient). */
export interface Voter {
  readonly sub?: string;
  readonly email?: string;
}

/** The key a person is known by in a level: the lowercased address, else `sub:<id>`. */
export const keyOf = (who: Voter): string => (who.email ? who.email.toLowerCase() : `sub:${who.sub ?? 'unknown'}`);

/** Whether `approver` is `voter` (same account, or same address). */
export const isSamePerson = (approver: Pick<Approver, 'sub' | 'email'>, voter: Voter): boolean =>
  (approver.sub !== undefined && approver.sub === voter.sub) || (approver.email !== undefined && voter.email !== undefined && approver.email.toLowerCase() === voter.email.toLowerCase());

/** The approvers who still hold a vote at the level: not handed over to a delegate. */
export const activeApprovers = (level: LevelState): Approver[] => level.approvers.filter((approver) => !(level.delegations ?? []).some((delegation) => delegation.from === approver.key));

/** The active approver of the level who is `voter`, if any. */
export const approverAt = (level: LevelState, voter: Voter): Approver | undefined => activeApprovers(level).find((approver) => isSamePerson(approver, voter));

export const approvalsAt = (level: LevelState): number => Object.values(level.votes).filter((vote) => vote.decision === 'approve').length;

/** The level that runs now, if the task has an approval state and a level is open. */
export function openLevel(state: ApprovalState | undefined): { index: number; level: LevelState } | undefined {
  const level = state?.levels[state.level];
  return state && level?.state === 'open' ? { index: state.level, level } : undefined;
}

/** The first level after `index` that applies (not skipped), if any. */
export const nextLevelIndex = (state: ApprovalState, index: number): number | undefined => {
  for (let next = index + 1; next < state.levels.length; next++) if (state.levels[next]?.state !== 'skipped') return next;
  return undefined;
};

/**
 * Who the open level waits for, as the inbox looks them up: the address and `sub:<id>` of every
 * active approver who has not voted. Empty when no level is open.
 */
export function awaitingOf(state: ApprovalState | undefined): string[] {
  const open = openLevel(state);
  if (!open) return [];
  const keys = new Set<string>();
  for (const approver of activeApprovers(open.level)) {
    if (open.level.votes[approver.key]) continue;
    if (approver.email) keys.add(approver.email.toLowerCase());
    if (approver.sub) keys.add(`sub:${approver.sub}`);
  }
  return [...keys].sort();
}

/**
 * The earliest of the open level's unsent reminders and its deadline, if any. Once escalated the
 * level has nothing more scheduled: a reminder left unsent by then (the deadline came first) is
 * moot, the escalation's email says more.
 */
export function nextAtOf(level: LevelState): string | undefined {
  if (level.escalatedAt !== undefined) return undefined;
  const times = [level.reminderTimes?.[level.remindersSent?.length ?? 0], level.due].filter((time): time is string => time !== undefined);
  return times.sort()[0];
}

/** `text` as the end of a sentence: a full stop added unless it ends with one (or ? or !). */
export const sentence = (text: string): string => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** Whether any level of the task's approval names this person (at any level, voted, handed over or not). */
export const isApproverOf = (task: { readonly approval?: ApprovalState | undefined }, voter: Voter): boolean =>
  (task.approval?.levels ?? []).some((level) => level.approvers.some((approver) => isSamePerson(approver, voter)));

/** The path of level `index` of a task's approval (and of a field of it), for writes and conditions. */
export const levelPath = (index: number, ...rest: string[]) => ['approval', 'levels', index, ...rest] as const;
