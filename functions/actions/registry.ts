import type { ActionDefinition } from '#core/action';
import { grantRole } from './grant-role/action.ts';
import { inviteUser } from './invite-user/action.ts';
import { newProjectWithUser } from './new-project-with-user/action.ts';
import { resetUserPassword } from './reset-user-password/action.ts';
import { updateProjectQuota } from './update-project-quota/action.ts';
import { updateUserEmail } from './update-user-email/action.ts';
import { resourceRegistry } from '../resources.ts';

/**
 * Every action of the task types, one line each. Adding an action: create its folder, add its line
 * here (or, for an action on a resource, its line in functions/resources.ts, which adds it here).
 */
export const actions: readonly ActionDefinition[] = [
  newProjectWithUser,
  resetUserPassword,
  inviteUser,
  updateUserEmail,
  updateProjectQuota,
  grantRole,
  ...resourceRegistry.actions(),
];
