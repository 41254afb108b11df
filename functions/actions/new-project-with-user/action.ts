import { type ActionContext, defineAction, fail, pass, type ValidationStep } from '#core/action';
import { type NewProjectWithUserData, NewProjectWithUserSchema, NewProjectWithUserStoredSchema, NewProjectWithUserTokenSchema } from './schema.ts';

type Step = ValidationStep<ActionContext<NewProjectWithUserData>>;

const projectNameIsFree: Step = {
  name: 'project-name-is-free',
  async run(ctx) {
    const { projectName } = ctx.data;
    return (await ctx.ports.directory.findProjectByName(projectName)) ? fail(`Project name "${projectName}" is taken.`) : pass(`Project name "${projectName}" is free.`);
  },
};

const noAccountYet: Step = {
  name: 'no-account-yet',
  async run(ctx) {
    const { email } = ctx.data;
    return (await ctx.ports.directory.findUser(email)) ? fail(`An account for ${email} already exists.`) : pass(`No account for ${email} yet.`);
  },
};

/**
 * Sign-up: a new project and its owner. preApprove checks the name and the address are free (an
 * admin approves, and sees why when they are not); postApprove creates both (checkpointed, so a
 * retry creates nothing twice), makes the task the new project's (`ctx.setProject`) and asks for a token; submit sets the owner's password and enables
 * the account. undo (a cancel after approval, an expired token) removes the disabled account and
 * the project, so the name and the address can sign up again.
 */
export const newProjectWithUser = defineAction({
  name: 'new-project-with-user',
  description: 'Creates a project and its owner account; the owner sets a password through an emailed link.',
  schema: NewProjectWithUserSchema,
  tokenSchema: NewProjectWithUserTokenSchema,
  storedSchema: NewProjectWithUserStoredSchema,
  recipient: (data) => data.email,

  async preApprove(ctx) {
    await ctx.validate([projectNameIsFree, noAccountYet]);
  },

  async postApprove(ctx) {
    const { directory, clock } = ctx.ports;
    const createdAt = clock.now().toISOString();
    if (ctx.stored.projectId === undefined) {
      const projectId = `p-${ctx.task.id.toLowerCase()}`;
      if (!(await directory.createProject({ id: projectId, name: ctx.data.projectName, createdAt }))) {
        const existing = await directory.findProjectByName(ctx.data.projectName);
        if (existing?.id !== projectId) return ctx.refuse(`Project name "${ctx.data.projectName}" was taken before approval.`);
      }
      ctx.persist('projectId', projectId);
      ctx.addNote(`Created project ${projectId}.`);
    }
    // The sign-up is the new project's first task: its owner (the project's admin) lists it with the project's.
    ctx.setProject(ctx.recall('projectId'));
    if (ctx.stored.userCreated === undefined) {
      const projectId = ctx.recall('projectId');
      if (!(await directory.createUser({ email: ctx.data.email, projectId, roles: ['project_admin'], enabled: false, createdAt }))) {
        // Ours only if nobody can have used it (it never had a password) and it is on no other
        // project: this task's own account, from an attempt a crash cut short (maybe before it was
        // disabled: creating one is several identity-provider calls).
        const existing = await directory.findUser(ctx.data.email);
        if (!existing || existing.hasPassword || (existing.projectId ?? projectId) !== projectId) {
          return ctx.refuse(`An account for ${ctx.data.email} was created before approval.`);
        }
      }
      // Idempotent: finishes an account whose creation (several identity-provider calls) a crash cut short.
      await directory.grantRoles(ctx.data.email, projectId, ['project_admin']);
      ctx.persist('userCreated', true);
      ctx.addNote(`Created the owner account ${ctx.data.email} (disabled until a password is set).`);
    }
    ctx.requireToken();
  },

  async undo(ctx) {
    const { directory } = ctx.ports;
    // The id postApprove gives the project, even if its checkpoint was never saved (a cancel raced it).
    const projectId = ctx.stored.projectId ?? `p-${ctx.task.id.toLowerCase()}`;
    const user = await directory.deleteUnusedUser(ctx.data.email, projectId);
    if (user === 'deleted') ctx.addNote(`Removed the disabled owner account ${ctx.data.email}.`);
    if (user === 'kept') ctx.addNote(`Kept the account ${ctx.data.email}: it is not the unused owner account this task created.`);
    if (await directory.deleteProject({ id: projectId, name: ctx.data.projectName })) ctx.addNote(`Removed project ${projectId} ("${ctx.data.projectName}").`);
  },

  async submit(ctx, token) {
    const { directory } = ctx.ports;
    await directory.activateUser(ctx.data.email, token.password);
    ctx.addNote(`Password set; account ${ctx.data.email} enabled.`);
  },
});
