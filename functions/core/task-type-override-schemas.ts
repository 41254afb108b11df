import * as z from 'zod';
import { ApprovalLevelSchema, ApprovalPolicySchema } from './approval-policy.ts';
import { EMAIL_STAGES, EmailStageSchema, RateLimitSchema, TaskTypeSchema } from './task-type.ts';

/**
 * A deployment's changes to the declared task types (DESIGN §8): `taskTypes.<name>` of the `assent`
 * configuration (cdk.json, or `ASSENT_CONFIG` locally), applied when the registry is built. Every
 * field is optional; what is given replaces the declared value, `null` removes an optional one (the
 * default applies again). Objects merge one level down: `limits` per limit, `emails` per stage and
 * field, `actionSettings` per action and setting, `approval.levels` per named level and field.
 * `approval.replaceLevels` replaces the whole policy instead. Names, actions and access are code,
 * not settings: they cannot be overridden.
 */


const type = TaskTypeSchema.shape;
const level = ApprovalLevelSchema.shape;

/** A strict object whose unknown keys are answered with the keys it knows. */
const strictObjectOf = <Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) =>
  z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `is not ${what}; known: ${Object.keys(shape).join(', ')}` : undefined),
  });

/** `null` removes the setting; absent keeps the declared one. */
const removable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/** One level of the type's policy, by name: the fields given replace the declared ones (`approvers` whole). */
export const ApprovalLevelOverrideSchema = strictObjectOf(
  {
    /** The declared level this entry changes. */
    name: z.string(),
    approvers: level.approvers.optional(),
    quorum: level.quorum.unwrap().optional(),
    deadline: removable(level.deadline.unwrap()),
    reminders: level.reminders.unwrap().optional(),
    onDeadline: level.onDeadline.unwrap().optional(),
    escalateTo: removable(level.escalateTo.unwrap()),
    onlyWhenAsked: level.onlyWhenAsked.unwrap().optional(),
  },
  'a field of an approval level override',
);
export type ApprovalLevelOverride = z.infer<typeof ApprovalLevelOverrideSchema>;

/** Change named levels (`levels`), or replace the whole policy (`replaceLevels`: every level, in order). */
export const ApprovalOverrideSchema = strictObjectOf(
  {
    levels: z.array(ApprovalLevelOverrideSchema).min(1).optional(),
    replaceLevels: ApprovalPolicySchema.shape.levels.optional(),
  },
  'a field of an approval override',
).superRefine((approval, ctx) => {
  if (approval.levels !== undefined && approval.replaceLevels !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['replaceLevels'], message: 'is given with levels: change named levels with levels, or give the whole policy with replaceLevels, not both' });
  }
  if (approval.levels === undefined && approval.replaceLevels === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'changes nothing: give levels (changes to named levels) or replaceLevels (the whole policy)' });
  }
});

const stage = EmailStageSchema.shape;
/** One email stage: the fields given replace the declared ones (null: back to the default template's). */
export const EmailStageOverrideSchema = strictObjectOf(
  {
    enabled: removable(stage.enabled),
    subject: removable(stage.subject),
    text: removable(stage.text),
    html: removable(stage.html.unwrap()),
    from: removable(stage.from.unwrap()),
    replyTo: removable(stage.replyTo.unwrap()),
    to: removable(stage.to.unwrap()),
    alsoToRequester: removable(stage.alsoToRequester.unwrap()),
  },
  'a field of an email stage',
);

/** One task type's override. */
export const TaskTypeOverrideSchema = strictObjectOf(
  {
    autoApprove: type.autoApprove.optional(),
    duplicatePolicy: type.duplicatePolicy.unwrap().optional(),
    tokenTtlSeconds: type.tokenTtlSeconds.unwrap().optional(),
    approvalTtlSeconds: type.approvalTtlSeconds.unwrap().optional(),
    onApprovalExpiry: type.onApprovalExpiry.unwrap().optional(),
    tokenWaitSeconds: type.tokenWaitSeconds.unwrap().optional(),
    allowSelfApproval: type.allowSelfApproval.unwrap().optional(),
    tokenRequiresAuth: type.tokenRequiresAuth.unwrap().optional(),
    limits: strictObjectOf({ perAddress: removable(RateLimitSchema.strict()), perClient: removable(RateLimitSchema.strict()) }, 'a limit').optional(),
    resendWindowSeconds: removable(type.resendWindowSeconds.unwrap()),
    emails: z
      .partialRecord(z.enum(EMAIL_STAGES), EmailStageOverrideSchema, {
        error: (issue) => ((issue.code as string) === 'unrecognized_keys' ? `is not an email stage; stages: ${EMAIL_STAGES.join(', ')}` : undefined),
      })
      .optional(),
    actionSettings: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    approval: ApprovalOverrideSchema.optional(),
  },
  'a setting a deployment may override',
);
export type TaskTypeOverride = z.infer<typeof TaskTypeOverrideSchema>;

/** `taskTypes`: task type name → its override. */
export const TaskTypeOverridesSchema = z.record(z.string(), TaskTypeOverrideSchema);
export type TaskTypeOverrides = z.infer<typeof TaskTypeOverridesSchema>;
/** What a configuration file holds (the same: nothing is filled in). */
export type TaskTypeOverridesInput = z.input<typeof TaskTypeOverridesSchema>;
