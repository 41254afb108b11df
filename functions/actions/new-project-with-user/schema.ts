import * as z from 'zod';
import { EmailSchema } from '../shared-schemas.ts';

export { PasswordTokenSchema as NewProjectWithUserTokenSchema } from '../shared-schemas.ts';

export const NewProjectWithUserSchema = z.object({
  email: EmailSchema,
  projectName: z
    .string({ error: 'Required' })
    .min(3, { error: 'Use at least 3 characters' })
    .max(63, { error: 'Use at most 63 characters' })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'Use lowercase letters, digits and dashes' }),
});
export type NewProjectWithUserData = z.infer<typeof NewProjectWithUserSchema>;

/** What postApprove checkpoints: the project it created, and whether the owner account exists. */
export const NewProjectWithUserStoredSchema = z.object({ projectId: z.string(), userCreated: z.boolean() });
