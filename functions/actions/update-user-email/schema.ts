import * as z from 'zod';
import { EmailSchema } from '../shared-schemas.ts';

export { ConfirmTokenSchema as UpdateUserEmailTokenSchema } from '../shared-schemas.ts';

export const UpdateUserEmailSchema = z.object({ newEmail: EmailSchema });
export type UpdateUserEmailData = z.infer<typeof UpdateUserEmailSchema>;

/** What the action persists in preApprove: the address the account moves from. */
export const UpdateUserEmailStoredSchema = z.object({ currentEmail: z.string() });
export type UpdateUserEmailStored = z.infer<typeof UpdateUserEmailStoredSchema>;
