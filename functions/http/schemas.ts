import * as z from 'zod';

/** "Required: ..." when the field is missing or blank; zod's own message (too long, not a string) otherwise. */
const required = (message: string) => (issue: { code?: string; input?: unknown }) => (issue.input === undefined || issue.code === 'too_small' ? message : undefined);

/** `POST /v1/tasks`. `data` is validated by the task type's actions. */
export const CreateTaskBodySchema = z.strictObject({
  type: z.string({ error: required('Required: the task type, see GET /v1/task-types') }).min(1).max(100),
  data: z.record(z.string(), z.unknown(), { error: 'Required: an object with the task type\'s fields' }),
});

/** `POST /v1/approvals/{secret}` (JSON or form). */
export const DecisionBodySchema = z.strictObject({
  decision: z.enum(['approve', 'reject'], { error: 'Must be "approve" or "reject"' }),
  reason: z.string().max(2000).optional(),
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

/** `PUT /v1/tasks/{id}`. */
export const UpdateTaskBodySchema = z.strictObject({
  data: z.record(z.string(), z.unknown(), { error: "Required: an object with the task type's fields" }),
});

/** `POST /v1/tasks/{id}/reject`: the reason is emailed to the requester. */
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
