import { z } from 'zod';

/** Who may create a task of this type. */
export const AccessSchema = z.union([
  z.literal('public'),
  z.literal('authenticated'),
  z.object({ roles: z.array(z.string()).min(1) }),
]);

export const EmailStageSchema = z.object({
  /** Turns the stage off for this task type. */
  enabled: z.boolean().default(true),
  subject: z.string(),
  /** Template source (nunjucks), imported from a file beside the task type or action. */
  text: z.string(),
  html: z.string().optional(),
});
export type EmailStage = z.infer<typeof EmailStageSchema>;

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
  /** How long the task may wait for an approval before it expires. */
  approvalTtlSeconds: z.number().int().positive().default(7 * 24 * 3600),
  /**
   * Answer to the requester. `uniform`: the same 202 whatever happens next (for flows that must not
   * reveal whether an account exists, like password resets).
   */
  response: z.enum(['task', 'uniform']).default('task'),
  emails: z
    .object({
      approval: EmailStageSchema.optional(),
      token: EmailStageSchema.optional(),
      completed: EmailStageSchema.optional(),
    })
    .default({}),
});
export type TaskTypeInput = z.input<typeof TaskTypeSchema>;
export type TaskType = z.infer<typeof TaskTypeSchema>;

export const defineTaskType = (input: TaskTypeInput): TaskType => TaskTypeSchema.parse(input);
