import { defineAction } from '#core/action';
import { hashPassword } from '#core/passwords';
import { ResetUserPasswordSchema, ResetUserPasswordTokenSchema } from './schema.ts';

/**
 * Password reset for an existing, enabled account. Votes to auto-approve; an unknown address makes
 * the action invalid, which ends the task quietly (no email), so the caller learns nothing.
 */
export const resetUserPassword = defineAction({
  name: 'reset-user-password',
  description: 'Lets the owner of an existing account choose a new password through an emailed link.',
  schema: ResetUserPasswordSchema,
  tokenSchema: ResetUserPasswordTokenSchema,
  recipient: (data) => data.email,

  async preApprove(ctx) {
    ctx.voteAutoApprove(true);
    const user = await ctx.ports.directory.findUser(ctx.data.email);
    if (!user?.enabled) {
      ctx.addNote(`No enabled account for ${ctx.data.email}.`);
      ctx.markValid(false);
      return;
    }
    ctx.addNote(`Account ${ctx.data.email} exists and is enabled.`);
    ctx.markValid(true);
  },

  async postApprove(ctx) {
    ctx.requireToken();
  },

  async submit(ctx, token) {
    await ctx.ports.directory.setPassword(ctx.data.email, await hashPassword(token.password));
    ctx.addNote(`Password changed for ${ctx.data.email}.`);
  },
});
