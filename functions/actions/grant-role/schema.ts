import * as z from 'zod';

/** Roles a signed-in member may ask for on their own project. */
export const GRANTABLE_ROLES = ['project_admin', 'member'] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

export const GrantRoleSchema = z.object({
  role: z
    .enum(GRANTABLE_ROLES, { error: (issue) => (issue.input === undefined ? 'Required' : `Use one of: ${GRANTABLE_ROLES.join(', ')}`) })
    .describe('The role the requester asks for on their own project: project_admin or member.'),
});
export type GrantRoleData = z.infer<typeof GrantRoleSchema>;

/**
 * What the action persists: the requester's account and project (preApprove), and, once postApprove
 * added the role, `granted` (so undo revokes only a role this task added, never one the user had).
 */
export const GrantRoleStoredSchema = z.object({
  projectId: z.string(),
  projectName: z.string(),
  email: z.string(),
  granted: z.literal(true),
});
export type GrantRoleStored = z.infer<typeof GrantRoleStoredSchema>;
