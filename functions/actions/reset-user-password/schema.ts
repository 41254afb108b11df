import * as z from 'zod';
import { EmailSchema } from '../shared-schemas.ts';

export { PasswordTokenSchema as ResetUserPasswordTokenSchema } from '../shared-schemas.ts';

export const ResetUserPasswordSchema = z.object({ email: EmailSchema });
export type ResetUserPasswordData = z.infer<typeof ResetUserPasswordSchema>;
