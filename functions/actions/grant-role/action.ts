import { type ActionContext, defineAction, fail, pass, type ValidationStep } from '#core/action';
import { RequesterProjectStep } from '../requester-project.ts';
import { type GrantRoleData, GrantRoleSchema, type GrantRoleStored, GrantRoleStoredSchema } from './schema.ts';

type Context = ActionContext<GrantRoleData, GrantRoleStored>;

/** Validation step: the requester lacks the role asked for (their roles are noted). */
const roleIsMissing = (requester: RequesterProjectStep): ValidationStep<Context> => ({
  name: 'role-is-missing',
  async run(ctx) {
    const { user, project } = requester.found;
    const { role } = ctx.data;
    if (user.roles.includes(role)) return fail(`Nothing to change: ${user.email} already has ${role} on project "${project.name}".`);
    const roles = user.roles.length === 0 ? 'no role' : user.roles.join(', ');
    return pass(`${user.email} has ${roles} on project "${project.name}", not ${role}.`);
  },
});

/**
 * A signed-in user asks for a role on their own project. preApprove finds them (by the token's
 * `sub`) and their project, refuses a role they already have, and always asks the approvers.
 * postApprove grants the role; undo revokes it only if this task is what added it. No token.
 */
export const grantRole = defineAction({
  name: 'grant-role',
  description: 'Grants the requester a role on their own project, once approved.',
  schema: GrantRoleSchema,
  storedSchema: GrantRoleStoredSchema,
  /** The completed email goes to the requester: the data names no one. */
  recipient: (_data, task) => task.createdBy?.email,

  async preApprove(ctx) {
    const requester = new RequesterProjectStep();
    if (!(await ctx.validate([requester, roleIsMissing(requester)], { onFailure: 'refuse' }))) return;
    const { user, project } = requester.found;
    ctx.persist('projectId', project.id);
    ctx.persist('projectName', project.name);
    ctx.persist('email', user.email);
    ctx.requireApproval(`${user.email} asks for ${ctx.data.role} on project "${project.name}".`);
  },

  async postApprove(ctx) {
    const { role } = ctx.data;
    const [email, projectId, projectName] = [ctx.recall('email'), ctx.recall('projectId'), ctx.recall('projectName')];
    if (ctx.stored.granted) return ctx.addNote(`${role} on "${projectName}" was granted to ${email} by an earlier attempt.`);
    const result = await ctx.ports.directory.grantRoles(email, projectId, [role]);
    switch (result) {
      case 'granted':
        ctx.persist('granted', true);
        return ctx.addNote(`Granted ${role} on "${projectName}" to ${email}.`);
      case 'unchanged':
        return ctx.addNote(`${email} already has ${role} on "${projectName}" (given since the request, or by an attempt that did not record it): nothing granted, so nothing for undo to revoke.`);
      case 'not-found':
        return ctx.refuse(`No account for ${email} any more: ${role} on "${projectName}" cannot be granted.`);
      case 'other-project':
        return ctx.refuse(`${email} belongs to another project than "${projectName}" now: ${role} on it cannot be granted.`);
    }
  },

  async undo(ctx) {
    const { role } = ctx.data;
    if (!ctx.stored.granted) return ctx.addNote('Nothing to revoke: this task granted no role.');
    const [email, projectId, projectName] = [ctx.recall('email'), ctx.recall('projectId'), ctx.recall('projectName')];
    const result = await ctx.ports.directory.revokeRoles(email, projectId, [role]);
    const notes = {
      revoked: `Revoked ${role} on "${projectName}" from ${email}.`,
      unchanged: `${email} no longer has ${role} on "${projectName}": nothing to revoke.`,
      'not-found': `No account for ${email} any more: nothing to revoke.`,
      'other-project': `${email} belongs to another project than "${projectName}" now: its roles are left as they are.`,
    } as const;
    ctx.addNote(notes[result]);
  },
});
