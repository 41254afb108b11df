import { defineAction, type ActionContext } from '#core/action';
import { ValidationError } from '#core/errors';
import { hashPassword } from '#core/passwords';
import type { DirectoryProject, DirectoryUser } from '#ports/user-directory';
import { findRequesterProject } from '../requester-project.ts';
import { type InviteMode, type InviteUserData, InviteUserSchema, InviteUserTokenSchema, InviteUserTokenSchemas } from './schema.ts';

type Context = ActionContext<InviteUserData>;

const roleList = (roles: readonly string[]) => roles.join(', ');

/** Roles of the request the user does not have on the project yet (all of them if not a member). */
const missingRoles = (ctx: Context, user: DirectoryUser, projectId: string) =>
  user.projectId === projectId ? ctx.data.roles.filter((role) => !user.roles.includes(role)) : [...ctx.data.roles];

/** An account an invitation created that has not been activated: disabled, no password, this project. */
const isUnactivatedInvite = (user: DirectoryUser, projectId: string) =>
  !user.enabled && user.passwordHash === undefined && user.projectId === projectId;

/** Validation step: the invitee can join (no account, or an account in no other project that lacks a role). */
async function inviteeCanJoin(ctx: Context, project: DirectoryProject): Promise<boolean> {
  const { email, roles } = ctx.data;
  const invitee = await ctx.ports.directory.findUser(email);
  if (!invitee) {
    ctx.addNote(`No account for ${email} yet: it will be created.`);
    return true;
  }
  if (invitee.projectId !== undefined && invitee.projectId !== project.id) {
    ctx.addNote(`${email} belongs to another project; this directory keeps one project per user.`);
    return false;
  }
  const missing = missingRoles(ctx, invitee, project.id);
  if (missing.length === 0) {
    ctx.addNote(`${email} is already a member of "${project.name}" with the roles ${roleList(roles)}.`);
    return false;
  }
  ctx.addNote(`${email} has an account without the roles ${roleList(missing)} on "${project.name}".`);
  return true;
}

/**
 * The side effect of postApprove: create the invitee's account if there is none. A retry that
 * stopped between the create and its checkpoint finds the unactivated account and creates nothing.
 * `undefined`: the invitee can no longer join.
 */
async function prepareInvitee(ctx: Context, projectId: string, projectName: string): Promise<InviteMode | undefined> {
  const { directory, clock } = ctx.ports;
  const { email, roles } = ctx.data;
  let invitee = await directory.findUser(email);
  if (!invitee) {
    const created = await directory.createUser({ email, projectId, roles: [...roles], enabled: false, createdAt: clock.now().toISOString() });
    if (created) {
      ctx.addNote(`Created the account ${email} (disabled until a password is set).`);
      return 'new-account';
    }
    invitee = await directory.findUser(email);
    if (!invitee) throw new Error(`The account ${email} exists and does not: the directory is inconsistent.`);
  }
  if (isUnactivatedInvite(invitee, projectId)) {
    ctx.addNote(`The account ${email} exists and waits for its first password.`);
    return 'new-account';
  }
  if (invitee.projectId !== undefined && invitee.projectId !== projectId) {
    ctx.addNote(`${email} joined another project before approval.`);
    return undefined;
  }
  const missing = missingRoles(ctx, invitee, projectId);
  if (missing.length === 0) {
    ctx.addNote(`${email} already has the roles ${roleList(roles)} on "${projectName}": nothing to grant, no token.`);
    return 'already-member';
  }
  ctx.addNote(`${email} has an account: they confirm before ${roleList(missing)} is granted on "${projectName}".`);
  return 'existing-account';
}

/**
 * Grants the requested roles; marks the action invalid (with a note) if the invitee cannot take
 * them. `quiet`: no note when nothing changed (a new account got its roles when it was created).
 */
async function grant(ctx: Context, projectId: string, projectName: string, quiet = false): Promise<boolean> {
  const { email, roles } = ctx.data;
  const result = await ctx.ports.directory.grantRoles(email, projectId, roles);
  if (result === 'not-found' || result === 'other-project') {
    ctx.addNote(result === 'not-found' ? `The account ${email} no longer exists.` : `${email} joined another project meanwhile.`);
    ctx.markValid(false);
    return false;
  }
  if (result === 'granted') ctx.addNote(`Granted ${roleList(roles)} on "${projectName}" to ${email}.`);
  else if (!quiet) ctx.addNote(`${email} already had ${roleList(roles)} on "${projectName}".`);
  return true;
}

/** An invalid request is refused at once (auto-rejected with its notes), not queued for an admin. */
function refuse(ctx: Context): void {
  ctx.markValid(false);
  ctx.voteAutoApprove(true);
}

/**
 * A project admin invites an email address to their project with roles. preApprove finds the
 * requester's project and checks the invitee can join; the task auto-approves when the requester is
 * project_admin of that project. postApprove creates a disabled account for a new invitee
 * (checkpointed) and asks for a password, or asks an existing account to confirm; submit sets the
 * password and enables the account, or grants the roles.
 */
export const inviteUser = defineAction({
  name: 'invite-user',
  description: 'Invites an email address to the requester\'s project with roles; the invitee sets a password (new account) or confirms (existing account) through an emailed link.',
  schema: InviteUserSchema,
  tokenSchema: InviteUserTokenSchema,
  tokenSchemas: InviteUserTokenSchemas,
  recipient: (data) => data.email,

  async preApprove(ctx) {
    const requester = await findRequesterProject(ctx);
    if (!requester) return refuse(ctx);
    const { project } = requester;
    ctx.persist('projectId', project.id);
    ctx.persist('projectName', project.name);
    ctx.persist('invitedBy', requester.user.email);
    if (!(await inviteeCanJoin(ctx, project))) return refuse(ctx);
    ctx.markValid(true);
    if (requester.isProjectAdmin) {
      ctx.addNote(`The requester is project_admin of "${project.name}": the invitation may go ahead without an admin.`);
      ctx.voteAutoApprove(true);
    } else {
      ctx.addNote(`The requester is not project_admin of "${project.name}" in the directory: an admin decides.`);
      ctx.voteAutoApprove(false);
    }
  },

  async postApprove(ctx) {
    if (ctx.stored.mode === undefined) {
      const mode = await prepareInvitee(ctx, String(ctx.stored.projectId), String(ctx.stored.projectName));
      if (mode === undefined) return ctx.markValid(false);
      ctx.persist('mode', mode);
    }
    if (ctx.stored.mode === 'new-account') ctx.requireToken('password');
    if (ctx.stored.mode === 'existing-account') ctx.requireToken('confirm');
  },

  async submit(ctx, token) {
    const { directory } = ctx.ports;
    const projectId = String(ctx.stored.projectId);
    const projectName = String(ctx.stored.projectName);
    const mode = ctx.stored.mode as InviteMode;
    if (mode === 'new-account') {
      if (token.password === undefined) throw new ValidationError([{ path: 'password', message: 'Required' }]);
      await directory.setPassword(ctx.data.email, await hashPassword(token.password));
      if (!(await grant(ctx, projectId, projectName, true))) return;
      await directory.enableUser(ctx.data.email);
      ctx.addNote(`Password set; account ${ctx.data.email} enabled.`);
    } else if (mode === 'existing-account') {
      if (token.confirm === undefined) throw new ValidationError([{ path: 'confirm', message: 'Required' }]);
      await grant(ctx, projectId, projectName);
    } else {
      ctx.addNote(`${ctx.data.email} already had the roles: nothing to do.`);
    }
  },
});
