import * as z from 'zod';
import { ApprovalPolicySchema, DEFAULT_APPROVAL_POLICY } from './approval-policy.ts';

/** Who may create a task of this type. */
export const AccessSchema = z.union([
  z.literal('public'),
  z.literal('authenticated'),
  z.object({ roles: z.array(z.string()).min(1) }),
]);

export const EMAIL_STAGES = ['initial', 'approval', 'reminder', 'token', 'completed', 'rejected', 'cancelled', 'notification'] as const;
export type EmailStageName = (typeof EMAIL_STAGES)[number];

/** One email stage: who gets it and what it says. Subject, text and HTML are templates (core/template-syntax.ts). */
export const EmailStageSchema = z.object({
  /** Turns the stage on or off for this task type. */
  enabled: z.boolean(),
  subject: z.string(),
  /** Template source, imported from a file beside the task type or action. */
  text: z.string(),
  html: z.string().optional(),
  /** From address; default: the deployment's sender. */
  from: z.email().optional(),
  replyTo: z.array(z.email()).optional(),
  /** Fixed recipients instead of the default ones (the requester's address, or the approvers). */
  to: z.array(z.email()).optional(),
  /**
   * Also to the requester's own address (the email of their sign-in), as an email of its own, when
   * it is not already a recipient: the old address of an email change hears of it, as in the
   * reference system.
   */
  alsoToRequester: z.boolean().optional(),
});
export type EmailStage = z.infer<typeof EmailStageSchema>;
/** A task type overrides any part of a stage; the rest comes from functions/templates/. */
export const EmailStageOverrideSchema = EmailStageSchema.partial();

/**
 * What the page of an emailed token link says to the person reading it (the new owner of a
 * sign-up, the account resetting its password, the invitee...). Each text is a template
 * (core/template-syntax.ts) given `task`, `taskId` and `taskType`, rendered as text and escaped.
 */
export const TokenPageSchema = z.object({
  /** The form's heading. @default - the first sentence of the task type's `description` */
  title: z.string().optional(),
  /** A paragraph under the heading: why the reader is here. @default - none */
  intro: z.string().optional(),
  /** The label of a confirmation's checkbox (a field that takes `true`). @default - the field's title, else its key humanised */
  confirm: z.string().optional(),
  /** The submit button's label. @default "Submit" */
  submit: z.string().optional(),
  /** The heading once the submit succeeded. @default "Done" */
  doneTitle: z.string().optional(),
  /** What happened and what to do next, once the submit succeeded. @default "Task <id> is complete." */
  done: z.string().optional(),
});
export type TokenPage = z.infer<typeof TokenPageSchema>;

/** At most `max` requests per fixed window of `windowSeconds`. */
export const RateLimitSchema = z.object({ max: z.number().int().positive(), windowSeconds: z.number().int().positive() });
export type RateLimit = z.infer<typeof RateLimitSchema>;

/**
 * Limits on creating tasks of a type, checked before anything is stored (429 with `Retry-After`):
 * per address (the email the request is for, e.g. the account to reset) and per client (its IP).
 * A deployment may override them with `taskTypes.<name>.limits` (cdk.json context `assent`, or
 * ASSENT_CONFIG locally; docs/deploying.md "Task type overrides"), limit by limit.
 */
export const RateLimitsSchema = z.object({ perAddress: RateLimitSchema.optional(), perClient: RateLimitSchema.optional() });
export type TaskTypeLimits = z.infer<typeof RateLimitsSchema>;

/**
 * A task type is a declaration, not code: which actions run in which order, who may ask,
 * whether it may auto-approve, how long its secrets live and what it emails.
 */
export const TaskTypeSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)?$/, 'kebab-case, optionally resource.action'),
  description: z.string(),
  actions: z.array(z.string()).min(1),
  access: AccessSchema,
  /** Whether actions' votes may approve the task without a human. */
  autoApprove: z.boolean(),
  duplicatePolicy: z.enum(['reject', 'cancel-older', 'allow']).default('cancel-older'),
  /** How long an emailed token stays valid. */
  tokenTtlSeconds: z.number().int().positive().default(24 * 3600),
  /** How long the task may wait for an approval before `onApprovalExpiry` happens. */
  approvalTtlSeconds: z.number().int().positive().default(7 * 24 * 3600),
  /** What an approval that never came does to the task: recorded in history and emailed. */
  onApprovalExpiry: z.enum(['reject', 'cancel']).default('reject'),
  /** How long the execution waits for the token, reissues included. */
  tokenWaitSeconds: z.number().int().positive().default(7 * 24 * 3600),
  /** Whether the requester may approve their own task (vote at any level of its policy). */
  allowSelfApproval: z.boolean().default(false),
  /**
   * Who approves a task that needs a human, in which order, how many, by when
   * (functions/core/approval-policy.ts). @default - one level: any one `admin`
   */
  approval: ApprovalPolicySchema.default(DEFAULT_APPROVAL_POLICY),
  /**
   * Per action of the type, settings its `settingsSchema` checks (defaults filled in), as
   * `ctx.settings` in its hooks: `{ "update-project-quota": { "coolDownDays": 30 } }`.
   * @default {} (every action's defaults)
   */
  actionSettings: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  /**
   * Whether a token submit (`POST /v1/tokens/{token}`) needs the requester's sign-in: a bearer
   * token whose `sub` is the task's requester (401 without one, 403 for another account; the link
   * stays usable after a refusal). For tokens sent where someone else may read them: an email
   * change's link goes to an address a typo may have given to a stranger. A browser following the
   * emailed link carries no sign-in, so such a link is submitted from a signed-in client. Needs an
   * access that identifies the requester (not `public`).
   */
  tokenRequiresAuth: z.boolean().default(false),
  /**
   * Answer to the requester. `uniform`: the same 202 whatever happens next (for flows that must not
   * reveal whether an account exists, like password resets).
   */
  response: z.enum(['task', 'uniform']).default('task'),
  limits: RateLimitsSchema.default({}),
  /**
   * `uniform` types: an identical request within this many seconds of an earlier one that is open or
   * completed is dropped without an email (the earlier email's link still works), so an address gets
   * at most one email per window however often it is asked for.
   */
  resendWindowSeconds: z.number().int().positive().optional(),
  emails: z.partialRecord(z.enum(EMAIL_STAGES), EmailStageOverrideSchema).default({}),
  /** What the token link's page says to its reader. @default - the description's first sentence as heading, no intro */
  tokenPage: TokenPageSchema.optional(),
});
export type TaskTypeInput = z.input<typeof TaskTypeSchema>;
export type TaskType = z.infer<typeof TaskTypeSchema>;

export const defineTaskType = (input: TaskTypeInput): TaskType => TaskTypeSchema.parse(input);
