import * as z from 'zod';

/** Who made a request: a verified JWT's subject and roles, or nobody. */
export const IdentitySchema = z.object({
  sub: z.string(),
  email: z.string().optional(),
  roles: z.array(z.string()),
});
export type Identity = z.infer<typeof IdentitySchema>;

/**
 * The actor written into history: an identity's subject, `system`, or an approver's email.
 * `project_admin`: a signed-in project admin acting on a task of their project (cancel, token
 * reissue), as opposed to `admin`, who may act on any task.
 */
export const ActorSchema = z.object({
  kind: z.enum(['user', 'admin', 'project_admin', 'approver', 'system']),
  id: z.string(),
});
export type Actor = z.infer<typeof ActorSchema>;

export const SYSTEM: Actor = { kind: 'system', id: 'system' };

export const isAdmin = (identity: Identity | undefined): boolean => identity?.roles.includes('admin') ?? false;
