import * as z from 'zod';

/** "Required: ..." when the field is missing or blank; zod's own message (too long, not a string) otherwise. */
const required = (message: string) => (issue: { code?: string; input?: unknown }) => (issue.input === undefined || issue.code === 'too_small' ? message : undefined);

/** `POST /v1/tasks`. `data` is validated by the task type's actions. */
export const CreateTaskBodySchema = z.strictObject({
  type: z.string({ error: required('Required: the task type, see GET /v1/task-types') }).min(1).max(100),
  data: z.record(z.string(), z.unknown(), { error: 'Required: an object with the task type\'s fields' }),
});

/** `POST /v1/approvals/{secret}` (JSON or form): a vote, or (`delegate`) handing it to `to`. */
export const DecisionBodySchema = z
  .strictObject({
    decision: z.enum(['approve', 'reject', 'delegate'], { error: 'Must be "approve", "reject" or "delegate"' }),
    reason: z.string().max(2000).optional(),
    to: z.string().trim().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.decision === 'delegate' && !z.email().safeParse(body.to ?? '').success) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: body.to ? 'Must be an email address' : 'Required: the address of who gets your vote' });
    }
    if (body.decision !== 'delegate' && body.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Only with decision "delegate"' });
  });

/** `POST /v1/tasks/{id}/delegate`. */
export const DelegateBodySchema = z.strictObject({
  to: z.email({ error: (issue) => (issue.input === undefined ? 'Required: the address of who gets your vote' : 'Must be an email address') }),
  reason: z.string().trim().max(2000).optional(),
});

/** `POST /v1/inbox/decisions`: one vote per task, each on its own. */
export const BulkDecisionsBodySchema = z.strictObject({
  decisions: z
    .array(
      z.strictObject({
        taskId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Not a task id'),
        decision: z.enum(['approve', 'reject'], { error: 'Must be "approve" or "reject"' }),
        reason: z.string().trim().max(2000).optional(),
      }),
      { error: 'Required: a list of { taskId, decision, reason? }' },
    )
    .min(1, 'Give at least one decision')
    .max(50, 'At most 50 decisions at once')
    .superRefine((decisions, ctx) => {
      const seen = new Set<string>();
      decisions.forEach((item, index) => {
        if (seen.has(item.taskId)) ctx.addIssue({ code: 'custom', path: [index, 'taskId'], message: 'Appears twice: one decision per task' });
        seen.add(item.taskId);
        if (item.decision === 'reject' && !item.reason) ctx.addIssue({ code: 'custom', path: [index, 'reason'], message: 'Required: why, for the requester' });
      });
    }),
});


/** Task ids are ULIDs. */
export const TaskIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Not a task id');

const limit = z.coerce.number({ error: 'Must be a number from 1 to 100' }).int().min(1).max(100).default(25);
const cursor = z.string().max(2048).optional();
/** Any ISO 8601 time, normalised to the stored form (milliseconds, UTC) so it compares as a time. */
const isoTime = z.iso
  .datetime({ offset: true, error: 'Must be an ISO 8601 time, e.g. 2026-11-23T10:00:00Z' })
  .transform((value) => new Date(value).toISOString());

/** `GET /v1/tasks` query. A time range must not end before it starts (DynamoDB refuses such a BETWEEN). */
export const ListTasksQuerySchema = z
  .strictObject({
    status: z.enum(['pending', 'approved', 'awaiting_token', 'completed', 'rejected', 'cancelled', 'failed', 'expired']).optional(),
    type: z.string().max(100).optional(),
    requester: z.string().max(256).optional(),
    createdFrom: isoTime.optional(),
    createdTo: isoTime.optional(),
    limit,
    cursor,
  })
  .refine((query) => !query.createdFrom || !query.createdTo || query.createdFrom <= query.createdTo, {
    path: ['createdTo'],
    message: 'Must not be before createdFrom',
  });

/** `GET /v1/inbox` query. */
export const InboxQuerySchema = z.strictObject({ type: z.string().max(100).optional(), dueBefore: isoTime.optional(), limit, cursor });

/** `PUT /v1/tasks/{id}`. */
export const UpdateTaskBodySchema = z.strictObject({
  data: z.record(z.string(), z.unknown(), { error: "Required: an object with the task type's fields" }),
});

/** `POST /v1/tasks/{id}/reject`: the reason is recorded with the vote and emailed to the requester. */
export const RejectBodySchema = z.strictObject({ reason: z.string({ error: required('Required: why, for the requester') }).trim().min(1).max(2000) });

/** `POST /v1/tasks/{id}/cancel`. */
export const CancelBodySchema = z.strictObject({ reason: z.string().trim().max(2000).optional() }).optional();

/** `POST /v1/tasks/{id}/notes`. */
export const NoteBodySchema = z.strictObject({ note: z.string({ error: required('Required') }).trim().min(1).max(4000) });

/** Bodies of actions that take none. */
export const EmptyBodySchema = z.strictObject({}).optional();

/** `GET /v1/notifications` query. */
export const ListNotificationsQuerySchema = z.strictObject({
  acknowledged: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  limit,
  cursor,
});

/** `GET /v1/tokens` query. */
export const PageQuerySchema = z.strictObject({ limit, cursor });

/** `POST /v1/notifications/acknowledge`. */
export const AcknowledgeBodySchema = z.strictObject({ ids: z.array(z.string().min(1).max(64)).min(1).max(100) });

/** `Idempotency-Key` header: a client-chosen string, e.g. a UUID. */
export const IdempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{8,255}$/, 'Must be 8 to 255 visible ASCII characters, e.g. a UUID');
