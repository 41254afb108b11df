import type { ActionDefinition } from '#core/action';
import { newProjectWithUser } from './new-project-with-user/action.ts';
import { resetUserPassword } from './reset-user-password/action.ts';

/** Every action, one line each. Adding an action: create its folder, add its line here. */
export const actions: readonly ActionDefinition[] = [
  newProjectWithUser,
  resetUserPassword,
];
