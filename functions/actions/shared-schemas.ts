import { z } from 'zod';

export const EmailSchema = z.email({ error: 'Must be an email address' }).max(254).transform((email) => email.toLowerCase());

/** A new password: long enough to matter, short enough to hash cheaply. */
export const PasswordTokenSchema = z.object({
  password: z
    .string({ error: 'Required' })
    .min(12, { error: 'Use at least 12 characters' })
    .max(256, { error: 'Use at most 256 characters' }),
});
