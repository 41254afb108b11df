import * as z from 'zod';
import { durationSeconds, DurationSchema } from './durations.ts';

/**
 * Who may vote at a level. Any mix; a person named twice counts once. `roles` and `groups` are
 * both user pool groups (roles are the app's own, functions/roles.ts); `resolver` names people the
 * task itself decides.
 */
export const ApproversSchema = z
  .strictObject({
    /** Members of these app roles (user pool groups: `admin`, ...). */
    roles: z.array(z.string().min(1)).min(1).optional(),
    /** Members of these user pool groups (`security`, ...). */
    groups: z.array(z.string().min(1)).min(1).optional(),
    /** These addresses: people with or without an account (they vote through their emailed link). */
    emails: z.array(z.email()).min(1).optional(),
    /** `project-admins`: the `project_admin`s of the task's project (found by its actions' `ctx.setProject`). */
    resolver: z.enum(['project-admins']).optional(),
  })
  .refine((approvers) => approvers.roles || approvers.groups || approvers.emails || approvers.resolver, {
    error: 'names nobody: give roles, groups, emails or a resolver, e.g. { "roles": ["admin"] }',
  });
export type Approvers = z.infer<typeof ApproversSchema>;

/** What a level's deadline does when its quorum was not met by then. */
export const DEADLINE_OUTCOMES = ['reject', 'cancel', 'escalate'] as const;

export const ApprovalLevelSchema = z
  .strictObject({
    /** Shown in the task's approval state, emails and the inbox; unique within the policy. */
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'kebab-case, e.g. "security"'),
    approvers: ApproversSchema,
    /** How many of the level's approvers must approve. @default 1 */
    quorum: z.number().int().positive().default(1),
    /** ISO-8601 duration from the level's opening (`P3D`, `PT12H`). @default - none: the level waits as long as the task's approval does */
    deadline: DurationSchema.optional(),
    /** ISO-8601 durations after the level opened: each sends the approvers who have not voted one reminder. @default [] */
    reminders: z.array(DurationSchema).default([]),
    /** What the deadline does: the task is rejected, cancelled, or `escalateTo` join the level (and get its email). @default 'reject' */
    onDeadline: z.enum(DEADLINE_OUTCOMES).default('reject'),
    /** Who joins the level at its deadline (`onDeadline: 'escalate'`). */
    escalateTo: ApproversSchema.optional(),
    /**
     * The level applies only when an action asked for it in preApprove
     * (`ctx.requireApproval(reason, { level: <name> })`); otherwise it is skipped. @default - always
     */
    onlyWhenAsked: z.boolean().default(false),
  })
  .superRefine((level, ctx) => {
    if (level.onDeadline === 'escalate' && level.escalateTo === undefined) {
      ctx.addIssue({ code: 'custom', path: ['escalateTo'], message: 'is missing; onDeadline "escalate" needs the approvers who join the level, e.g. { "roles": ["admin"] }' });
    }
    if (level.escalateTo !== undefined && level.onDeadline !== 'escalate') {
      ctx.addIssue({ code: 'custom', path: ['escalateTo'], message: `is only used with onDeadline "escalate" (got "${level.onDeadline}"): remove it, or set onDeadline to "escalate"` });
    }
    if (level.onDeadline !== 'reject' && level.deadline === undefined) {
      ctx.addIssue({ code: 'custom', path: ['deadline'], message: `is missing; onDeadline "${level.onDeadline}" needs a deadline, e.g. "P3D"` });
    }
    const deadline = level.deadline === undefined ? undefined : durationSeconds(level.deadline);
    level.reminders.forEach((reminder, index) => {
      if (deadline !== undefined && durationSeconds(reminder) >= deadline) {
        ctx.addIssue({ code: 'custom', path: ['reminders', index], message: `comes at or after the deadline (${level.deadline}): a reminder must come before it` });
      }
    });
  });
export type ApprovalLevel = z.infer<typeof ApprovalLevelSchema>;

/**
 * A task type's approval policy: ordered levels, each to be approved by its quorum before the next
 * opens; the last one approves the task. Any reject ends the task rejected.
 */
export const ApprovalPolicySchema = z
  .strictObject({ levels: z.array(ApprovalLevelSchema).min(1) })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.levels.forEach((level, index) => {
      if (seen.has(level.name)) ctx.addIssue({ code: 'custom', path: ['levels', index, 'name'], message: `"${level.name}" names another level too: level names are unique` });
      seen.add(level.name);
    });
    if (policy.levels.length > 0 && policy.levels.every((level) => level.onlyWhenAsked)) {
      ctx.addIssue({ code: 'custom', path: ['levels'], message: 'has only levels with onlyWhenAsked: at least one level must always apply' });
    }
  });
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;
export type ApprovalPolicyInput = z.input<typeof ApprovalPolicySchema>;

/** Without a policy of its own, a task type is approved by any one admin. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = ApprovalPolicySchema.parse({ levels: [{ name: 'admins', approvers: { roles: ['admin'] } }] });
