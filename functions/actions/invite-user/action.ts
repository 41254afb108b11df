import { type ActionContext, defineAction, fail, pass, type ValidationStep } from '#core/action';
import { ValidationError } from '#core/errors';
import type { DirectoryUser } from '#ports/user-directory';
import { RequesterProjectStep } from '../requester-project.ts';
import {
  type InviteMode,
  type InviteUserData,
  InviteUserSchema,
  type InviteUserStored,
  InviteUserStoredSchema,
  InviteUserTokenSchema,
  InviteUserTokenSchemas,
} from './schema.ts';

type Context = ActionContext<InviteUserData, InviteUserStored>;

const roleList = (roles: readonly string[]) => roles.join(', ');

/** Roles of the request the user does not have on the project yet (all of them if not a member). */
const missingRoles = (ctx: Context, user: DirectoryUser, projectId: string) =>
  user.projectId === projectId ? ctx.data.roles.filter((role) => !user.roles.includes(role)) : [...ctx.data.roles];

/** An account an invitation created that has not been activated: disabled, no password, this project. */
const isUnactivatedInvite = (user: DirectoryUser, projectId: string) =>
  !user.enabled && !user.hasPassword && user.projectId === projectId;

/** Validation step: the invitee can join (no account, or an account in no other project that lacks a role). */
const inviteeCanJoin = (requester: RequesterProjectStep): ValidationStep<Context> => ({
  name: 'invitee-can-join',
  async run(ctx) {
    const { project } = requester.found;
    const { email, roles } = ctx.data;
    const invitee = await ctx.ports.directory.findUser(email);
    if (!invitee) return pass(`No account for ${email} yet: it will be created.`);
    if (invitee.projectId !== undefined && invitee.projectId !== project.id) {
      return fail(`${email} belongs to another project; this directory keeps one project per user.`);
    }
    const missing = missingRoles(ctx, invitee, project.id);
    if (missing.length === 0) return fail(`${email} is already a member of "${project.name}" with the roles ${roleList(roles)}.`);
    return pass(`${email} has an account without the roles ${roleList(missing)} on "${project.name}".`);
  },
});

/**
 * The side effect of postApprove: create the invitee's account if there is none. A retry that
 * stopped between the create and its checkpoint finds the unactivated account and creates nothing.
 * `undefined`: the invitee can no longer join, and the action refused.
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
    ctx.refuse(`${email} joined another project before approval.`);
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
 * Grants the requested roles; refuses (with the reason) if the invitee cannot take them.
 * `quiet`: no note when nothing changed (a new account got its roles when it was created).
 */
async function grant(ctx: Context, quiet = false): Promise<boolean> {
  const { email, roles } = ctx.data;
  const projectName = ctx.recall('projectName');
  const result = await ctx.ports.directory.grantRoles(email, ctx.recall('projectId'), roles);
  if (result === 'not-found' || result === 'other-project') {
    ctx.refuse(result === 'not-found' ? `The account ${email} no longer exists.` : `${email} joined another project meanwhile.`);
    return false;
  }
  if (result === 'granted') ctx.addNote(`Granted ${roleList(roles)} on "${projectName}" to ${email}.`);
  else if (!quiet) ctx.addNote(`${email} already had ${roleList(roles)} on "${projectName}".`);
  return true;
}

/**
 * A project admin invites an email address to their project with roles. preApprove finds the
 * requester's project and checks the invitee can join (an invalid request is refused at once); the
 * task auto-approves when the requester is project_admin of that project. postApprove creates a
 * disabled account for a new invitee (checkpointed) and asks for a password, or asks an existing
 * account to confirm; submit sets the password and enables the account, or grants the roles.
 */
export const inviteUser = defineAction({
  name: 'invite-user',
  description: 'Invites an email address to the requester\'s project with roles; the invitee sets a password (new account) or confirms (existing account) through an emailed link.',
  schema: InviteUserSchema,
  tokenSchema: InviteUserTokenSchema,
  tokenSchemas: InviteUserTokenSchemas,
  storedSchema: InviteUserStoredSchema,
  recipient: (data) => data.email,

  async preApprove(ctx) {
    const requester = new RequesterProjectStep();
    if (!(await ctx.validate([requester, inviteeCanJoin(requester)], { onFailure: 'refuse' }))) return;
    const { user, project, isProjectAdmin } = requester.found;
    ctx.persist('projectId', project.id);
    ctx.persist('projectName', project.name);
    ctx.persist('invitedBy', user.email);
    if (isProjectAdmin) ctx.waiveApproval(`The requester is project_admin of "${project.name}": the invitation may go ahead without an admin.`);
    else ctx.requireApproval(`The requester is not project_admin of "${project.name}" in the directory: an admin decides.`);
  },

  async postApprove(ctx) {
    if (ctx.stored.mode === undefined) {
      const mode = await prepareInvitee(ctx, ctx.recall('projectId'), ctx.recall('projectName'));
      if (mode === undefined) return;
      ctx.persist('mode', mode);
    }
    if (ctx.stored.mode === 'new-account') ctx.requireToken('password');
    if (ctx.stored.mode === 'existing-account') ctx.requireToken('confirm');
  },

  async submit(ctx, token) {
    const mode = ctx.recall('mode');
    if (mode === 'new-account') {
      if (token.password === undefined) throw new ValidationError([{ path: 'password', message: 'Required' }]);
      if (!(await grant(ctx, true))) return;
      await ctx.ports.directory.activateUser(ctx.data.email, token.password);
      ctx.addNote(`Password set; account ${ctx.data.email} enabled.`);
    } else if (mode === 'existing-account') {
      if (token.confirm === undefined) throw new ValidationError([{ path: 'confirm', message: 'Required' }]);
      await grant(ctx);
    } else {
      ctx.addNote(`${ctx.data.email} already had the roles: nothing to do.`);
    }
  },
});
