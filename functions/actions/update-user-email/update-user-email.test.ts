import * as z from 'zod';
import { MemoryDirectory } from '../../../test/support/fakes.ts';
import { requester, runHook } from '../../../test/support/run-hook.ts';
import { updateUserEmail } from './action.ts';
import { UpdateUserEmailSchema } from './schema.ts';

/** The update-user-email action alone (runHook). Through the engine (access, emails): update-user-email.engine.test.ts. */
const AT = '2026-11-23T10:00:00.000Z';
const OLD = 'una@example.com';
const NEW = 'una@new.example.com';
const ACCOUNT = { email: OLD, projectId: 'p-apollo', roles: ['member'], enabled: true, hasPassword: true, createdAt: '2026-11-01T00:00:00.000Z' };

async function setup() {
  const directory = new MemoryDirectory();
  await directory.createUser(ACCOUNT);
  return directory;
}

const preApprove = (directory: MemoryDirectory, newEmail: string, by = requester(OLD, ['member'])) =>
  runHook(updateUserEmail, 'preApprove', { data: { newEmail }, task: { createdBy: by }, ports: { directory } });

const afterApproval = (directory: MemoryDirectory, stage: 'postApprove' | 'submit') =>
  runHook(updateUserEmail, stage, { data: { newEmail: NEW }, stored: { currentEmail: OLD }, ...(stage === 'submit' ? { tokenData: { confirm: 'yes' } } : {}), ports: { directory } });

const texts = (notes: readonly { text: string }[]) => notes.map((note) => note.text);

describe('update-user-email input', () => {
  it('accepts an email address, lowercased', () => {
    expect(UpdateUserEmailSchema.parse({ newEmail: 'Una@New.Example.com' })).toStrictEqual({ newEmail: NEW });
  });

  it('refuses a new address that is not an email address', () => {
    const result = UpdateUserEmailSchema.safeParse({ newEmail: 'nope' });

    expect(result.error).toBeInstanceOf(z.ZodError);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([['newEmail', 'Must be an email address']]);
  });
});

describe('update-user-email preApprove: named validation steps', () => {
  it('passes for an existing account moving to a free address, keeps the current address, and needs no admin', async () => {
    // Prepare
    const directory = await setup();
    // Act
    const result = await preApprove(directory, 'Una@New.Example.com');
    // Assess
    expect(result).toStrictEqual({
      valid: true,
      autoApprove: true,
      needsToken: false,
      notes: [
        { at: AT, step: 'current-address', text: 'The requester\'s current address is una@example.com.' },
        { at: AT, step: 'account-exists', text: 'Account una@example.com exists.' },
        { at: AT, step: 'address-changes', text: 'The address changes to una@new.example.com.' },
        { at: AT, step: 'new-address-is-free', text: 'una@new.example.com is free.' },
        { at: AT, text: 'The new address confirms the move itself: no admin needed.' },
      ],
      stored: { currentEmail: OLD },
    });
  });

  it.each([
    ['the request carries no email claim', requester(undefined, ['member']), NEW, 'current-address', 'The request carries no email claim: there is no current address to change.'],
    ['the requester has no account', requester('ghost@example.com', ['member']), NEW, 'account-exists', 'No account for ghost@example.com.'],
    ['the new address is the current one', requester(OLD, ['member']), OLD, 'address-changes', 'The account already uses una@example.com.'],
  ])('refuses when %s', async (_why, by, newEmail, step, note) => {
    const directory = await setup();

    const result = await preApprove(directory, newEmail, by);

    expect([result.valid, result.autoApprove, result.stored]).toStrictEqual([false, true, {}]);
    expect(result.notes.at(-1)).toStrictEqual({ at: AT, step, text: note });
  });

  it('refuses when the new address is taken', async () => {
    const directory = await setup();
    await directory.createUser({ email: NEW, roles: [], enabled: true, createdAt: 'x' });

    const result = await preApprove(directory, NEW);

    expect([result.valid, result.autoApprove, result.notes.at(-1)]).toStrictEqual([false, true, { at: AT, step: 'new-address-is-free', text: 'una@new.example.com is taken by another account.' }]);
  });
});

describe('update-user-email after approval', () => {
  it('asks the new address for a confirmation while it is still free', async () => {
    const directory = await setup();

    const result = await afterApproval(directory, 'postApprove');

    expect([result.valid, result.needsToken, result.notes]).toStrictEqual([true, true, [{ at: AT, step: 'new-address-is-free', text: 'una@new.example.com is free.' }]]);
  });

  it('asks for no confirmation, and becomes invalid, when the new address was taken after approval', async () => {
    const directory = await setup();
    await directory.createUser({ email: NEW, roles: [], enabled: true, createdAt: 'x' });

    const result = await afterApproval(directory, 'postApprove');

    expect([result.valid, result.needsToken, texts(result.notes)]).toStrictEqual([false, false, ['una@new.example.com is taken by another account.']]);
  });

  it('moves the whole record to the new address on confirmation', async () => {
    const directory = await setup();

    const result = await afterApproval(directory, 'submit');

    expect(await directory.findUser(OLD)).toBeUndefined();
    expect(await directory.findUser(NEW)).toStrictEqual({ ...ACCOUNT, email: NEW, previousEmail: OLD });
    expect([result.valid, texts(result.notes)]).toStrictEqual([true, ['Account una@example.com moved to una@new.example.com.']]);
  });

  it('completes when an earlier attempt already moved the record (a retry), moving nothing twice', async () => {
    // Prepare: the move happened, but the attempt stopped before the task was completed.
    const directory = await setup();
    await directory.changeEmail(OLD, NEW);
    // Act
    const result = await afterApproval(directory, 'submit');
    // Assess
    expect([result.valid, texts(result.notes)]).toStrictEqual([true, ['Account una@example.com was already moved to una@new.example.com.']]);
    expect([...directory.users.values()]).toStrictEqual([{ ...ACCOUNT, email: NEW, previousEmail: OLD }]);
  });

  it('refuses when the new address was taken before the move', async () => {
    const directory = await setup();
    await directory.createUser({ email: NEW, roles: [], enabled: true, createdAt: 'x' });

    const result = await afterApproval(directory, 'submit');

    expect([result.valid, texts(result.notes)]).toStrictEqual([false, ['una@new.example.com was taken by another account before the move.']]);
    expect(await directory.findUser(OLD)).toStrictEqual(ACCOUNT);
  });

  it('refuses when the account is gone', async () => {
    const directory = new MemoryDirectory();

    const result = await afterApproval(directory, 'submit');

    expect([result.valid, texts(result.notes)]).toStrictEqual([false, ['No account for una@example.com any more.']]);
  });

  it('refuses a submission without the confirmation', async () => {
    const directory = await setup();

    const error = await runHook(updateUserEmail, 'submit', { data: { newEmail: NEW }, stored: { currentEmail: OLD }, tokenData: {}, ports: { directory } }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(z.ZodError);
    expect((error as z.ZodError).issues.map((issue) => [issue.path.join('.'), issue.message])).toStrictEqual([['confirm', 'Required']]);
    expect(await directory.findUser(OLD)).toStrictEqual(ACCOUNT);
  });
});
