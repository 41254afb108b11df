import type * as z from 'zod';
import { NewProjectWithUserTokenSchema } from './new-project-with-user/schema.ts';
import { ResetUserPasswordTokenSchema } from './reset-user-password/schema.ts';
import { InviteUserTokenSchema, InviteUserTokenSchemas } from './invite-user/schema.ts';
import { PasswordTokenSchema } from './shared-schemas.ts';

const CONTROL = 'Use no control characters (such as NUL, tab or newline); letters, digits, spaces and symbols are fine';
const issuesOf = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);

/** Every token schema that takes a new password shares PasswordTokenSchema's rules. */
const PASSWORD_SCHEMAS: [string, z.ZodType][] = [
  ['PasswordTokenSchema', PasswordTokenSchema],
  ['the sign-up token (new-project-with-user)', NewProjectWithUserTokenSchema],
  ['the reset-password token', ResetUserPasswordTokenSchema],
  ['the invitation token (invite-user)', InviteUserTokenSchema],
  ['the invitation token asked for by name', InviteUserTokenSchemas.password],
];

describe.each(PASSWORD_SCHEMAS)('passwords of %s', (_name, schema) => {
  it.each([
    ['twelve NUL characters', '\u0000'.repeat(12)],
    ['a tab', 'correct\thorse battery'],
    ['a trailing newline (a paste accident)', 'correct horse battery\n'],
    ['a carriage return', 'correct horse\rbattery'],
    ['an escape', 'correct horse \u001b[0m battery'],
    ['DEL', 'correct horse battery\u007f'],
    ['a C1 control (NEL)', 'correct horse\u0085battery'],
  ])('refuses one with %s, saying why', (_why, password) => {
    expect(issuesOf(schema, { password })).toStrictEqual([['password', CONTROL]]);
  });

  it.each([
    ['spaces and symbols', 'correct horse battery staple!'],
    ['letters beyond ASCII', 'Grüße aus Köln, 東京'],
    ['an emoji and a zero-width joiner', 'family 👩‍👩‍👧‍👦 of four'],
  ])('accepts one with %s', (_why, password) => {
    expect(issuesOf(schema, { password })).toBeUndefined();
  });

  it('lists both problems of a one-character NUL password', () => {
    expect(issuesOf(schema, { password: '\u0000' })).toStrictEqual([
      ['password', 'Use at least 12 characters'],
      ['password', CONTROL],
    ]);
  });
});
