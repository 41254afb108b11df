import { defineAction } from '#core/action';
import { hashPassword } from '#core/passwords';
import { NewProjectWithUserSchema, NewProjectWithUserTokenSchema } from './schema.ts';

/**
 * Sign-up: a new project and its owner. preApprove checks the name and the address are free;
 * postApprove creates both (checkpointed, so a retry creates nothing twice) and asks for a token;
 * submit sets the owner's password and enables the account.
 */
export const newProjectWithUser = defineAction({
  name: 'new-project-with-user',
  description: 'Creates a project and its owner account; the owner sets a password through an emailed link.',
  schema: NewProjectWithUserSchema,
  tokenSchema: NewProjectWithUserTokenSchema,
  recipient: (data) => data.email,

  async preApprove(ctx) {
    const { directory } = ctx.ports;
    const checks = [
      async () => {
        const taken = await directory.findProjectByName(ctx.data.projectName);
        ctx.addNote(taken ? `Project name "${ctx.data.projectName}" is taken.` : `Project name "${ctx.data.projectName}" is free.`);
        return !taken;
      },
      async () => {
        const user = await directory.findUser(ctx.data.email);
        ctx.addNote(user ? `An account for ${ctx.data.email} already exists.` : `No account for ${ctx.data.email} yet.`);
        return !user;
      },
    ];
    for (const check of checks) {
      if (!(await check())) {
        ctx.markValid(false);
        return;
      }
    }
    ctx.markValid(true);
  },

  async postApprove(ctx) {
    const { directory, clock } = ctx.ports;
    const createdAt = clock.now().toISOString();
    if (ctx.stored.projectId === undefined) {
      const projectId = `p-${ctx.task.id.toLowerCase()}`;
      if (!(await directory.createProject({ id: projectId, name: ctx.data.projectName, createdAt }))) {
        const existing = await directory.findProjectByName(ctx.data.projectName);
        if (existing?.id !== projectId) {
          ctx.addNote(`Project name "${ctx.data.projectName}" was taken before approval.`);
          ctx.markValid(false);
          return;
        }
      }
      ctx.persist('projectId', projectId);
      ctx.addNote(`Created project ${projectId}.`);
    }
    if (ctx.stored.userCreated === undefined) {
      await directory.createUser({
        email: ctx.data.email,
        projectId: String(ctx.stored.projectId),
        roles: ['project_admin'],
        enabled: false,
        createdAt,
      });
      ctx.persist('userCreated', true);
      ctx.addNote(`Created the owner account ${ctx.data.email} (disabled until a password is set).`);
    }
    ctx.requireToken();
  },

  async submit(ctx, token) {
    const { directory } = ctx.ports;
    await directory.setPassword(ctx.data.email, await hashPassword(token.password));
    await directory.enableUser(ctx.data.email);
    ctx.addNote(`Password set; account ${ctx.data.email} enabled.`);
  },
});
