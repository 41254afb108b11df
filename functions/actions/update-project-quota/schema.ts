import * as z from 'zod';

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
