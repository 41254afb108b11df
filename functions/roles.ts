/**
 * The roles the shipped app uses, as user pool groups (a bearer token lists its user's groups in
 * `cognito:groups`). The stack (lib/constructs/identity.ts) and local mode (local/cognito/pool.ts)
 * create one group each.
 */
export const ROLES = {
  admin: 'Approves tasks, runs admin operations, reads everything.',
  security: 'Approvers of the security level of approval policies.',
  project_admin: 'Administers one project: invites people, asks for quota changes.',
  member: 'A member of one project.',
} as const;

export type Role = keyof typeof ROLES;
