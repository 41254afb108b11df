import * as z from 'zod';
import { ConfirmSchema, EmailSchema, PasswordTokenSchema } from '../shared-schemas.ts';

/** Roles a project owner may give an invitee. */
export const INVITABLE_ROLES = ['member', 'project_admin'] as const;

export const InviteUserSchema = z.object({
  email: EmailSchema,
  roles: z
    .array(z.enum(INVITABLE_ROLES, { error: `Use one of: ${INVITABLE_ROLES.join(', ')}` }), {
      error: (issue) => (issue.input === undefined ? 'Required' : 'Must be a list of roles'),
    })
    .min(1, { error: 'Give at least one role' })
    .refine((roles) => new Set(roles).size === roles.length, { error: 'List each role once' }),
});
export type InviteUserData = z.infer<typeof InviteUserSchema>;

/**
 * A new account sends `password`; an existing account sends `confirm`. postApprove asks for one of
 * `InviteUserTokenSchemas` by name; this superset is the type submit receives.
 */
export const InviteUserTokenSchema = z.object({
  password: PasswordTokenSchema.shape.password.optional(),
  confirm: ConfirmSchema.optional(),
});
export const InviteUserTokenSchemas = {
  password: PasswordTokenSchema,
  confirm: z.object({ confirm: ConfirmSchema }),
};

/**
 * What postApprove found, checkpointed so a retry does not redo it: `new-account` (created
 * disabled, the invitee sets a password), `existing-account` (the invitee confirms, then the roles
 * are granted) or `already-member` (nothing to do, no token).
 */
export const InviteModeSchema = z.enum(['new-account', 'existing-account', 'already-member']);
export type InviteMode = z.infer<typeof InviteModeSchema>;

/** What the action persists: the requester's project (preApprove) and the invitee's mode (postApprove). */
export const InviteUserStoredSchema = z.object({
  projectId: z.string(),
  projectName: z.string(),
  /** The requester's email, for the invitation email. */
  invitedBy: z.string(),
  mode: InviteModeSchema,
});
export type InviteUserStored = z.infer<typeof InviteUserStoredSchema>;
