import { defineTaskType, type TaskType } from '#core/task-type';
import resetCompleted from './task-types/reset-password/completed.txt.njk';
import resetToken from './task-types/reset-password/token.txt.njk';
import signUpCompleted from './task-types/sign-up/completed.txt.njk';
import signUpToken from './task-types/sign-up/token.txt.njk';

/** Task types are declarations: which actions, who may ask, approval, expiry and emails. */
export const taskTypes: readonly TaskType[] = [
  defineTaskType({
    name: 'sign-up',
    description: 'Ask for a new project and its owner account. An admin approves; the owner then sets a password.',
    actions: ['new-project-with-user'],
    access: 'public',
    autoApprove: false,
    duplicatePolicy: 'reject',
    tokenTtlSeconds: 24 * 3600,
    approvalTtlSeconds: 7 * 24 * 3600,
    emails: {
      token: { subject: 'Choose your password for {{ task.actions[0].data.projectName }}', text: signUpToken },
      completed: { subject: 'Your project {{ task.actions[0].data.projectName }} is ready', text: signUpCompleted },
    },
  }),
  defineTaskType({
    name: 'reset-password',
    description: 'Reset the password of an existing account. The answer is the same whether or not the account exists.',
    actions: ['reset-user-password'],
    access: 'public',
    autoApprove: true,
    duplicatePolicy: 'cancel-older',
    tokenTtlSeconds: 3600,
    response: 'uniform',
    emails: {
      token: { subject: 'Reset your password', text: resetToken },
      completed: { subject: 'Your password was changed', text: resetCompleted },
    },
  }),
];
