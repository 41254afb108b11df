import * as z from 'zod';

/**
 * An operator notification: something went wrong (or, in records from before 2026-12-02, a task
 * needed approval: approvers now get the approval email, and operators hear of errors only).
 */
export const NotificationSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  taskType: z.string(),
  kind: z.enum(['needs-approval', 'error']),
  error: z.boolean(),
  /** One line, safe to show to operators. */
  message: z.string(),
  /** For errors: the error name and message, and where it happened. */
  detail: z.string().optional(),
  createdAt: z.string(),
  acknowledged: z.boolean(),
  acknowledgedAt: z.string().optional(),
  acknowledgedBy: z.string().optional(),
  /** When it was emailed to the operators (absent if that failed or is off). */
  emailedAt: z.string().optional(),
});
export type Notification = z.infer<typeof NotificationSchema>;
