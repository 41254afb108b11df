import * as z from 'zod';
import { ActorSchema, IdentitySchema } from './identity.ts';

export const TaskStatusSchema = z.enum([
  'pending',
  'approved',
  'awaiting_token',
  'completed',
  'rejected',
  'cancelled',
  'failed',
  'expired',
]);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'rejected', 'cancelled', 'failed', 'expired'];

export const NoteSchema = z.object({ at: z.string(), text: z.string() });
export type Note = z.infer<typeof NoteSchema>;

/** One action of a task, as stored: its validated data and what its hooks recorded. */
export const ActionRecordSchema = z.object({
  name: z.string(),
  data: z.record(z.string(), z.unknown()),
  valid: z.boolean(),
  /** Tri-state vote on auto-approval: true, false (veto) or null (no opinion). */
  autoApprove: z.boolean().nullable(),
  /** Whether the action asked for a token in postApprove. */
  needsToken: z.boolean(),
  /** Which of the action's `tokenSchemas` the token asks for (absent: its `tokenSchema`). */
  tokenSchemaKey: z.string().optional(),
  notes: z.array(NoteSchema),
  /** The action's own persisted data, kept across stages (checkpoints, created ids). */
  stored: z.record(z.string(), z.unknown()),
});
export type ActionRecord = z.infer<typeof ActionRecordSchema>;

export const HistoryEntrySchema = z.object({
  at: z.string(),
  by: ActorSchema,
  event: z.string(),
  from: TaskStatusSchema.nullable(),
  to: TaskStatusSchema,
  reason: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** The Step Functions task token the execution waits on, and what it waits for. */
export const WaitSchema = z.object({
  kind: z.enum(['approval', 'token']),
  sfnToken: z.string(),
  since: z.string(),
});

export const TaskSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: TaskStatusSchema,
  actions: z.array(ActionRecordSchema),
  notes: z.array(NoteSchema),
  history: z.array(HistoryEntrySchema),
  createdBy: IdentitySchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  approvedBy: ActorSchema.optional(),
  approvedAt: z.string().optional(),
  completedAt: z.string().optional(),
  executionArn: z.string().optional(),
  wait: WaitSchema.optional(),
  /** Why the task failed, for operators (never shown to requesters): the state, error and cause. */
  failure: z.object({ step: z.string(), error: z.string(), cause: z.string() }).optional(),
  /** Hash of the type and normalised input, for duplicate detection. */
  hash: z.string().optional(),
  /** Email stages already sent for the current status (so retries do not send twice). */
  sentEmails: z.array(z.string()).default([]),
  /** Admin notes (POST /v1/tasks/{id}/notes), with their author. */
  adminNotes: z.array(z.object({ at: z.string(), by: z.string(), text: z.string() })).default([]),
  /** How many executions the task has had (admin retries start new ones). */
  attempt: z.number().int().default(1),
  /** From creation to completion, for tracking (who, when, input, result, duration, outcome). */
  durationMs: z.number().int().optional(),
  /** Set when the task reaches a terminal state: epoch seconds for DynamoDB TTL. */
  expiresAt: z.number().int().optional(),
  /** Optimistic-concurrency counter: every write is conditional on it. */
  version: z.number().int(),
});
export type Task = z.infer<typeof TaskSchema>;
export type TaskInput = z.input<typeof TaskSchema>;
