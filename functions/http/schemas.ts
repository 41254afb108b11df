import { z } from 'zod';

/** `POST /v1/tasks`. `data` is validated by the task type's actions. */
export const CreateTaskBodySchema = z.strictObject({
  type: z.string({ error: 'Required: the task type, see GET /v1/task-types' }).min(1).max(100),
  data: z.record(z.string(), z.unknown(), { error: 'Required: an object with the task type\'s fields' }),
});

/** `POST /v1/approvals/{secret}` (JSON or form). */
export const DecisionBodySchema = z.strictObject({
  decision: z.enum(['approve', 'reject'], { error: 'Must be "approve" or "reject"' }),
  reason: z.string().max(2000).optional(),
});

/** `POST /v1/tasks/{id}/approve` takes no body, or an empty object. */
export const ApproveBodySchema = z.strictObject({}).optional();

/** Task ids are ULIDs. */
export const TaskIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Not a task id');
