import * as z from 'zod';
import { ApprovalLevelSchema } from '#core/approval-policy';

/** Quota sizes, smallest first: the order decides what counts as a step up. */
export const QUOTA_SIZE_NAMES = ['small', 'medium', 'large'] as const;
export type QuotaSize = (typeof QUOTA_SIZE_NAMES)[number];

/** The limits each size stands for. */
export const QUOTA_SIZES: Readonly<Record<QuotaSize, { readonly instances: number; readonly cores: number; readonly ramGb: number }>> = {
  small: { instances: 10, cores: 20, ramGb: 64 },
  medium: { instances: 25, cores: 50, ramGb: 160 },
  large: { instances: 50, cores: 100, ramGb: 320 },
};

/** The size of a project whose quota was never changed. */
export const DEFAULT_QUOTA_SIZE: QuotaSize = 'small';

/** Going down, or up by at most this many steps, needs no admin. */
export const MAX_AUTO_APPROVED_STEPS_UP = 1;

export const UpdateProjectQuotaSchema = z.object({
  size: z.enum(QUOTA_SIZE_NAMES, {
    error: (issue) => (issue.input === undefined ? 'Required' : `Use one of: ${QUOTA_SIZE_NAMES.join(', ')}`),
  }),
});
export type UpdateProjectQuotaData = z.infer<typeof UpdateProjectQuotaSchema>;

/** What the action persists in preApprove: the requester's project and its size before the change. */
export const UpdateProjectQuotaStoredSchema = z.object({
  projectId: z.string(),
  projectName: z.string(),
  fromSize: z.enum(QUOTA_SIZE_NAMES),
});
export type UpdateProjectQuotaStored = z.infer<typeof UpdateProjectQuotaStoredSchema>;

/**
 * What a task type may set for the action (`actionSettings: { 'update-project-quota': {...} }`);
 * every field has a default.
 */
export const UpdateProjectQuotaSettingsSchema = z.object({
  coolDownDays: z
    .number()
    .int()
    .min(0)
    .default(30)
    .describe('Days after a quota change during which a step up that would be automatic needs an admin instead (going down never waits). 0: no cool-down.'),
  largeStepLevel: ApprovalLevelSchema.shape.name
    .default('security')
    .describe('The onlyWhenAsked approval level a step up of more than one size asks for, besides the levels that always apply.'),
});
export type UpdateProjectQuotaSettings = z.infer<typeof UpdateProjectQuotaSettingsSchema>;
