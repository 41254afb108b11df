import { type ActionContext, defineAction, fail, pass, type ValidationStep } from '#core/action';
import {
  type UpdateUserEmailData,
  UpdateUserEmailSchema,
  type UpdateUserEmailStored,
  UpdateUserEmailStoredSchema,
  UpdateUserEmailTokenSchema,
} from './schema.ts';

type Context = ActionContext<UpdateUserEmailData, UpdateUserEmailStored>;
type Step = ValidationStep<Context>;

/** The requester's current address: the email claim of their bearer token. */
const currentOf = (ctx: Context) => ctx.task.createdBy?.email?.toLowerCase();

const currentAddress: Step = {
  name: 'current-address',
  async run(ctx) {
    const current = currentOf(ctx);
    return current ? pass(`The requester's current address is ${current}.`) : fail('The request carries no email claim: there is no current address to change.');
  },
};

const accountExists: Step = {
  name: 'account-exists',
  async run(ctx) {
    const current = String(currentOf(ctx));
    return (await ctx.ports.directory.findUser(current)) ? pass(`Account ${current} exists.`) : fail(`No account for ${current}.`);
  },
};

const addressChanges: Step = {
  name: 'address-changes',
  async run(ctx) {
    const { newEmail } = ctx.data;
    return newEmail !== currentOf(ctx) ? pass(`The address changes to ${newEmail}.`) : fail(`The account already uses ${newEmail}.`);
  },
};

/** Nobody else has the new address (checked again after approval: it may have been taken since). */
const newAddressIsFree: Step = {
  name: 'new-address-is-free',
  async run(ctx) {
    const { newEmail } = ctx.data;
    return (await ctx.ports.directory.findUser(newEmail)) ? fail(`${newEmail} is taken by another account.`) : pass(`${newEmail} is free.`);
  },
};

/**
 * An authenticated user moves their account to a new email address. The current address is the
 * one in the requester's bearer token. Auto-approved (an invalid request is refused at once); the
 * confirmation link goes to the NEW address, so only its owner can finish. submit moves the record
 * in one atomic step (a retry finds it moved).
 */
export const updateUserEmail = defineAction({
  name: 'update-user-email',
  description: 'Moves the requester\'s account to a new email address once the new address confirms through an emailed link.',
  schema: UpdateUserEmailSchema,
  tokenSchema: UpdateUserEmailTokenSchema,
  storedSchema: UpdateUserEmailStoredSchema,
  recipient: (data) => data.newEmail,

  async preApprove(ctx) {
    const steps = [currentAddress, accountExists, addressChanges, newAddressIsFree];
    if (!(await ctx.validate(steps, { onFailure: 'refuse' }))) return;
    ctx.persist('currentEmail', String(currentOf(ctx)));
    ctx.waiveApproval('The new address confirms the move itself: no admin needed.');
  },

  async postApprove(ctx) {
    // Do not send a link that cannot work.
    if (await ctx.validate([newAddressIsFree])) ctx.requireToken();
  },

  async submit(ctx) {
    const from = ctx.recall('currentEmail');
    const to = ctx.data.newEmail;
    const result = await ctx.ports.directory.changeEmail(from, to);
    const notes = {
      changed: `Account ${from} moved to ${to}.`,
      'already-changed': `Account ${from} was already moved to ${to}.`,
      'not-found': `No account for ${from} any more.`,
      taken: `${to} was taken by another account before the move.`,
    } as const;
    if (result === 'not-found' || result === 'taken') ctx.refuse(notes[result]);
    else ctx.addNote(notes[result]);
  },
});
