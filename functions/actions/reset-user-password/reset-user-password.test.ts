import * as z from 'zod';
import { verifyPassword } from '#core/passwords';
import { MemoryDirectory } from '../../../test/support/fakes.ts';
import { runHook } from '../../../test/support/run-hook.ts';
import { resetUserPassword } from './action.ts';

/** The reset-user-password action alone, with runHook. */
const AT = '2026-11-23T10:00:00.000Z';
const EMAIL = 'rita@example.com';

async function withAccount(enabled: boolean) {
  const directory = new MemoryDirectory();
  await directory.createUser({ email: EMAIL, roles: [], enabled, hasPassword: true, createdAt: 'x' });
  return directory;
}

describe('reset-user-password preApprove', () => {
  it('passes for an enabled account and needs no admin', async () => {
    const result = await runHook(resetUserPassword, 'preApprove', { data: { email: 'Rita@Example.com' }, ports: { directory: await withAccount(true) } });

    expect(result).toStrictEqual({
      valid: true,
      autoApprove: true,
      needsToken: false,
      notes: [
        { at: AT, step: 'account-is-enabled', text: 'Account rita@example.com exists and is enabled.' },
        { at: AT, text: 'The emailed link proves the requester owns the account: no admin needed.' },
      ],
      stored: {},
    });
  });

  it.each([
    ['there is no account', new MemoryDirectory()],
    ['the account is disabled', undefined],
  ])('refuses when %s, with one note only', async (_why, directory) => {
    const ports = { directory: directory ?? (await withAccount(false)) };

    const result = await runHook(resetUserPassword, 'preApprove', { data: { email: EMAIL }, ports });

    expect([result.valid, result.autoApprove, result.notes]).toStrictEqual([false, true, [{ at: AT, step: 'account-is-enabled', text: 'No enabled account for rita@example.com.' }]]);
  });
});

describe('reset-user-password after approval', () => {
  it('asks for a new password', async () => {
    const result = await runHook(resetUserPassword, 'postApprove', { data: { email: EMAIL } });
    expect([result.needsToken, result.tokenSchemaKey]).toStrictEqual([true, undefined]);
  });

  it('sets the new password on submit', async () => {
    const directory = await withAccount(true);

    const result = await runHook(resetUserPassword, 'submit', { data: { email: EMAIL }, tokenData: { password: 'correct horse battery' }, ports: { directory } });

    expect(await verifyPassword('correct horse battery', directory.passwords.get(EMAIL) ?? '')).toBe(true);
    expect(result.notes).toStrictEqual([{ at: AT, text: 'Password changed for rita@example.com.' }]);
  });

  it('refuses a password that is too short, and keeps the old one', async () => {
    const directory = await withAccount(true);

    const error = await runHook(resetUserPassword, 'submit', { data: { email: EMAIL }, tokenData: { password: 'short' }, ports: { directory } }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(z.ZodError);
    expect(directory.passwords.has(EMAIL)).toBe(false);
  });
});
