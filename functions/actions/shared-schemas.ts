import * as z from 'zod';

export const EmailSchema = z.email({ error: 'Must be an email address' }).max(254).transform((email) => email.toLowerCase());

/** No control character (C0, DEL or C1: NUL, tab, newline, escape, ...); a pattern, so the JSON Schema shows it. */
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;

/**
 * A new password: long enough to matter, short enough to hash cheaply, and typeable: no control
 * characters (twelve NULs are twelve characters, but no password; a newline or tab is a paste
 * accident, and some hashing libraries stop reading at a NUL).
 */
export const PasswordTokenSchema = z.object({
  password: z
    .string({ error: 'Required' })
    .min(12, { error: 'Use at least 12 characters' })
    .max(256, { error: 'Use at most 256 characters' })
    .regex(NO_CONTROL_CHARACTERS, { error: 'Use no control characters (such as NUL, tab or newline); letters, digits, spaces and symbols are fine' }),
});

/**
 * A confirmation: JSON `true`, or what a form posts for it (`true`, `on` from a checkbox, `yes`).
 * Parses to `true`.
 */
export const ConfirmSchema = z
  .union([z.literal(true), z.enum(['true', 'on', 'yes'])], {
    error: (issue) => (issue.input === undefined ? 'Required' : 'Confirm with true (or "yes" in a form)'),
  })
  .transform((): true => true);

export const ConfirmTokenSchema = z.object({ confirm: ConfirmSchema });
