import { defineAction, type ActionContext } from '#core/action';
import { UpdateUserEmailSchema, UpdateUserEmailTokenSchema, type UpdateUserEmailData } from './schema.ts';

type Context = ActionContext<UpdateUserEmailData>;

/** Validation step: nobody else has the new address. */
async function newAddressIsFree(ctx: Context): Promise<boolean> {
  const taken = await ctx.ports.directory.findUser(ctx.data.newEmail);
  ctx.addNote(taken ? `${ctx.data.newEmail} is taken by another account.` : `${ctx.data.newEmail} is free.`);
  return !taken;
}

/**
 * An authenticated user moves their account to a new email address. The current address is the
 * one in the requester's bearer token. Auto-approved; the confirmation link goes to the NEW address,
 * so only its owner can finish. submit moves the record in one atomic step (a retry finds it moved).
 */
export const updateUserEmail = defineAction({
  name: 'update-user-email',
  description: 'Moves the requester\'s account to a new email address once the new address confirms through an emailed link.',
  schema: UpdateUserEmailSchema,
  tokenSchema: UpdateUserEmailTokenSchema,
  recipient: (data) => data.newEmail,

  async preApprove(ctx) {
    const { directory } = ctx.ports;
    // Invalid requests are refused at once (auto-rejected with their notes), valid ones go ahead.
    ctx.voteAutoApprove(true);
    const current = ctx.task.createdBy?.email?.toLowerCase();
    const checks = [
      async () => {
        ctx.addNote(current ? `The requester's current address is ${current}.` : 'The request carries no email claim: there is no current address to change.');
        return current !== undefined;
      },
      async () => {
        const user = await directory.findUser(String(current));
        ctx.addNote(user ? `Account ${current} exists.` : `No account for ${current}.`);
        return user !== undefined;
      },
      async () => {
        const changes = ctx.data.newEmail !== current;
        ctx.addNote(changes ? `The address changes to ${ctx.data.newEmail}.` : `The account already uses ${ctx.data.newEmail}.`);
        return changes;
      },
      () => newAddressIsFree(ctx),
    ];
    for (const check of checks) {
      if (!(await check())) {
        ctx.markValid(false);
        return;
      }
    }
    ctx.persist('currentEmail', current);
    ctx.markValid(true);
  },

  async postApprove(ctx) {
    // The address may have been taken since: do not send a link that cannot work.
    if (!(await newAddressIsFree(ctx))) return ctx.markValid(false);
    ctx.requireToken();
  },

  async submit(ctx) {
    const from = String(ctx.stored.currentEmail);
    const to = ctx.data.newEmail;
    const result = await ctx.ports.directory.changeEmail(from, to);
    const notes = {
      changed: `Account ${from} moved to ${to}.`,
      'already-changed': `Account ${from} was already moved to ${to}.`,
      'not-found': `No account for ${from} any more.`,
      taken: `${to} was taken by another account before the move.`,
    } as const;
    ctx.addNote(notes[result]);
    if (result === 'not-found' || result === 'taken') ctx.markValid(false);
  },
});
