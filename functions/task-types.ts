import { defineTaskType, type TaskType } from '#core/task-type';
import { resourceRegistry } from './resources.ts';
import inviteCompleted from './task-types/invite-user/completed.txt.njk';
import inviteTokenHtml from './task-types/invite-user/token.html.njk';
import inviteToken from './task-types/invite-user/token.txt.njk';
import quotaCompleted from './task-types/quota-change/completed.txt.njk';
import roleGrantCompleted from './task-types/role-grant/completed.txt.njk';
import resetCompleted from './task-types/reset-password/completed.txt.njk';
import resetTokenHtml from './task-types/reset-password/token.html.njk';
import resetToken from './task-types/reset-password/token.txt.njk';
import signUpCompleted from './task-types/sign-up/completed.txt.njk';
import signUpTokenHtml from './task-types/sign-up/token.html.njk';
import signUpToken from './task-types/sign-up/token.txt.njk';
import updateEmailCompleted from './task-types/update-email/completed.txt.njk';
import updateEmailTokenHtml from './task-types/update-email/token.html.njk';
import updateEmailToken from './task-types/update-email/token.txt.njk';

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
    limits: { perAddress: { max: 5, windowSeconds: 3600 }, perClient: { max: 20, windowSeconds: 3600 } },
    emails: {
      token: { subject: 'Choose your password for {{ task.actions[0].data.projectName }}', text: signUpToken, html: signUpTokenHtml },
      completed: { subject: 'Your project {{ task.actions[0].data.projectName }} is ready', text: signUpCompleted },
    },
    // The reader is the new owner, whose sign-up an admin approved.
    tokenPage: {
      title: 'Choose your password for {{ task.actions[0].data.projectName }}',
      intro: 'Your sign-up was approved: the project "{{ task.actions[0].data.projectName }}" and its owner account {{ task.actions[0].data.email }} are waiting for you. Choose the password you will sign in with.',
      submit: 'Set my password',
      doneTitle: 'Your password is set',
      done: 'Your account {{ task.actions[0].data.email }} is ready and the project "{{ task.actions[0].data.projectName }}" is yours. Sign in with that address and the password you just chose.',
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
    limits: { perAddress: { max: 5, windowSeconds: 3600 }, perClient: { max: 30, windowSeconds: 3600 } },
    resendWindowSeconds: 300,
    emails: {
      token: { subject: 'Reset your password', text: resetToken, html: resetTokenHtml },
      completed: { subject: 'Your password was changed', text: resetCompleted },
    },
    // The reader is the account's owner (or whoever reads its mail).
    tokenPage: {
      title: 'Choose a new password',
      intro: 'For the account {{ task.actions[0].data.email }}. The old password stops working once you save the new one.',
      submit: 'Save my new password',
      doneTitle: 'Your password is changed',
      done: 'Sign in with {{ task.actions[0].data.email }} and your new password.',
    },
  }),
  defineTaskType({
    name: 'invite-user',
    description: 'Invite an email address to your project with roles. Auto-approved for the project\'s admins; the invitee sets a password or confirms.',
    actions: ['invite-user'],
    access: { roles: ['project_admin'] },
    autoApprove: true,
    duplicatePolicy: 'reject',
    tokenTtlSeconds: 3 * 24 * 3600,
    emails: {
      token: { subject: 'Join {{ task.actions[0].stored.projectName }} on Assent', text: inviteToken, html: inviteTokenHtml },
      completed: { subject: 'Welcome to {{ task.actions[0].stored.projectName }}', text: inviteCompleted },
      // The recipient is the invitee, who never asked for anything: tell them only good news.
      rejected: { enabled: false },
      cancelled: { enabled: false },
    },
    // The reader is the invitee: a new account chooses a password, an existing one confirms.
    tokenPage: {
      title: 'Join {{ task.actions[0].stored.projectName }} on Assent',
      intro: '{{ task.actions[0].stored.invitedBy }} invites you to the project "{{ task.actions[0].stored.projectName }}" with the roles: {{ task.actions[0].data.roles | join(", ") }}. {{ "Choose a password for your new account " if task.actions[0].stored.mode == "new-account" else "Confirm that your account " }}{{ task.actions[0].data.email }}{{ "." if task.actions[0].stored.mode == "new-account" else " joins the project." }}',
      confirm: 'Yes, add my account {{ task.actions[0].data.email }} to {{ task.actions[0].stored.projectName }}',
      submit: '{{ "Create my account" if task.actions[0].stored.mode == "new-account" else "Join the project" }}',
      doneTitle: 'Welcome to {{ task.actions[0].stored.projectName }}',
      done: 'Your account {{ task.actions[0].data.email }} is a member of "{{ task.actions[0].stored.projectName }}", with the roles: {{ task.actions[0].data.roles | join(", ") }}.',
    },
  }),
  defineTaskType({
    name: 'update-email',
    description: 'Change the email address of your account. The new address confirms through an emailed link.',
    actions: ['update-user-email'],
    access: 'authenticated',
    autoApprove: true,
    duplicatePolicy: 'cancel-older',
    tokenTtlSeconds: 24 * 3600,
    // The link goes to the new address, which a typo may have given to a stranger: only the account
    // that asked, signed in, confirms it (so a stranger who reads the email cannot take the account over).
    tokenRequiresAuth: true,
    emails: {
      token: { subject: 'Confirm your new email address', text: updateEmailToken, html: updateEmailTokenHtml },
      // To the new address, and the old one (the requester's sign-in) hears of the change too.
      completed: { subject: 'Your email address was changed', text: updateEmailCompleted, alsoToRequester: true },
      // The recipient is the new address, not yet proven to be the requester's.
      rejected: { enabled: false },
      cancelled: { enabled: false },
    },
    // The reader is whoever the new address belongs to: the owner, if they typed it right.
    tokenPage: {
      title: 'Confirm your new email address',
      intro: 'Someone asked to move the Assent account {{ task.actions[0].stored.currentEmail }} to this address, {{ task.actions[0].data.newEmail }}.',
      confirm: 'Yes, move my account to {{ task.actions[0].data.newEmail }}',
      doneTitle: 'Your email address is changed',
      done: 'Your account now uses {{ task.actions[0].data.newEmail }}: sign in with it from now on. Your password is unchanged.',
    },
  }),
  defineTaskType({
    name: 'quota-change',
    description: 'Change your project\'s quota to another size. Going down or one size up is automatic (unless the quota changed in the last 30 days); otherwise an admin decides, and bigger steps also need two of security.',
    actions: ['update-project-quota'],
    access: { roles: ['project_admin'] },
    autoApprove: true,
    duplicatePolicy: 'cancel-older',
    approval: {
      levels: [
        { name: 'admins', approvers: { roles: ['admin'] } },
        // Asked for by update-project-quota for more than one size up (its largeStepLevel setting).
        { name: 'security', approvers: { groups: ['security'] }, quorum: 2, onlyWhenAsked: true },
      ],
    },
    emails: {
      completed: { subject: 'Quota of {{ task.actions[0].stored.projectName }} changed to {{ task.actions[0].data.size }}', text: quotaCompleted },
    },
  }),
  defineTaskType({
    name: 'role-grant',
    description: 'Ask for a role (project_admin or member) on your project. One of the project\'s admins approves, then two of security; overdue, admins are asked too.',
    actions: ['grant-role'],
    access: { roles: ['member', 'project_admin'] },
    autoApprove: false,
    duplicatePolicy: 'reject',
    approvalTtlSeconds: 7 * 24 * 3600,
    approval: {
      levels: [
        { name: 'project-admins', approvers: { resolver: 'project-admins' }, quorum: 1 },
        { name: 'security', approvers: { groups: ['security'] }, quorum: 2, deadline: 'P3D', reminders: ['P1D'], onDeadline: 'escalate', escalateTo: { roles: ['admin'] } },
      ],
    },
    emails: {
      completed: { subject: 'You are {{ task.actions[0].data.role }} on {{ task.actions[0].stored.projectName }}', text: roleGrantCompleted },
    },
  }),
  // One per resource action (`todos.mark-done`, ...), declared in functions/resources.ts.
  ...resourceRegistry.taskTypes(),
];
