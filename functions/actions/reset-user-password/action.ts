import { type ActionContext, defineAction, fail, pass, type ValidationStep } from '#core/action';
import { type ResetUserPasswordData, ResetUserPasswordSchema, ResetUserPasswordTokenSchema } from './schema.ts';

const accountIsEnabled: ValidationStep<ActionContext<ResetUserPasswordData>> = {
  name: 'account-is-enabled',
  async run(ctx) {
    const { email } = ctx.data;
    return (await ctx.ports.directory.findUser(email))?.enabled ? pass(`Account ${email} exists and is enabled.`) : fail(`No enabled account for ${email}.`);
  },
};

/**
 * Password reset for an existing, enabled account. Needs no admin; an unknown address is refused,
 * which ends the task quietly (no email), so the caller learns nothing.
 */
export const resetUserPassword = defineAction({
  name: 'reset-user-password',
  description: 'Lets the owner of an existing account choose a new password through an emailed link.',
  schema: ResetUserPasswordSchema,
  tokenSchema: ResetUserPasswordTokenSchema,
  recipient: (data) => data.email,

  async preApprove(ctx) {
    if (!(await ctx.validate([accountIsEnabled], { onFailure: 'refuse' }))) return;
    ctx.waiveApproval('The emailed link proves the requester owns the account: no admin needed.');
  },

  async postApprove(ctx) {
    ctx.requireToken();
  },

  async submit(ctx, token) {
    await ctx.ports.directory.setPassword(ctx.data.email, token.password);
    ctx.addNote(`Password changed for ${ctx.data.email}.`);
  },
});
