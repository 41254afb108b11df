import * as z from 'zod';
import { ApprovalStateSchema, QueuedVoteSchema } from './approval-state.ts';
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

/** A note an action (or the core) left; `step` names the validation step that wrote it. */
export const NoteSchema = z.object({ at: z.string(), text: z.string(), step: z.string().optional() });
export type Note = z.infer<typeof NoteSchema>;

/** One action of a task, as stored: its validated data and what its hooks recorded. */
export const ActionRecordSchema = z.object({
  name: z.string(),
  data: z.record(z.string(), z.unknown()),
  /** `null` ("validating") until the action's preApprove ran on its current data; then true or false. */
  valid: z.boolean().nullable(),
  /** Tri-state vote on auto-approval: true, false (veto) or null (no opinion). */
  autoApprove: z.boolean().nullable(),
  /**
   * The approval policy's `onlyWhenAsked` levels the action asked for in preApprove
   * (`ctx.requireApproval(reason, { level })`): those levels apply to the task; the others are skipped.
   */
  approvalLevels: z.array(z.string()).optional(),
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
  /**
   * Which round of secrets answers this wait. Secrets carry the round they were issued in; a new
   * wait or a reissued token moves it on, which is what makes older links stop working.
   */
  round: z.number().int().default(0),
});


export const TaskSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: TaskStatusSchema,
  actions: z.array(ActionRecordSchema),
  notes: z.array(NoteSchema),
  history: z.array(HistoryEntrySchema),
  createdBy: IdentitySchema.nullable(),
  /**
   * The project the task belongs to, as an action found it (`ctx.setProject`, committed with the
   * stage's results): its project admins may list it, read it, cancel it and reissue its token.
   * Absent until then, and on tasks of no project.
   */
  projectId: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  approvedBy: ActorSchema.optional(),
  approvedAt: z.string().optional(),
  completedAt: z.string().optional(),
  executionArn: z.string().optional(),
  wait: WaitSchema.optional(),
  /** A vote that arrived while the task still validated: cast when its first level opens. */
  queuedVote: QueuedVoteSchema.optional(),
  /** Where its approval policy stands: levels, approvers, votes (functions/core/approval-state.ts). Absent until the first level opens. */
  approval: ApprovalStateSchema.optional(),
  /**
   * Who the open level waits for (addresses and `sub:<id>`s of approvers who have not voted):
   * what the inbox looks tasks up by. Absent when no level is open.
   */
  awaiting: z.array(z.string()).optional(),
  /**
   * The token submit that won: set (with the secret's hash) before the submit stage runs, so a
   * concurrent cancel or second submit loses before any hook runs.
   */
  tokenUse: z.object({ hash: z.string(), at: z.string() }).optional(),
  /** When preApprove last ran on the current data; absent while the task validates (created, or its data updated). */
  validatedAt: z.string().optional(),
  /**
   * When postApprove finished its work (every hook ran, every action still valid). A later run of the
   * AwaitToken step (a retried state, an admin retry) goes straight on to the token or the submit stage.
   */
  postApprovedAt: z.string().optional(),
  /** Incremented by every data update: a stage's results count only for the data they validated. */
  dataRevision: z.number().int().default(0),
  /** The last secret round handed out (see `wait.round`). */
  rounds: z.number().int().default(0),
  /**
   * Why the task failed, for operators (never shown to requesters): the state, error and cause.
   * `retryable: false`: the failure is deterministic (an action found the data invalid after
   * approval), so a retry of the same data would fail again: update the data, or cancel the task.
   */
  failure: z.object({ step: z.string(), error: z.string(), cause: z.string(), retryable: z.boolean().default(true), dataRevision: z.number().int().optional() }).optional(),
  /**
   * Undoing what postApprove did (the actions' `undo` hooks): `pending` from the write that ended the
   * task without completing (or that asked for the data to be replaced) until every hook ran, then
   * `done`. A hook that failed leaves it pending with its error, for the next run.
   */
  compensation: z
    .object({
      state: z.enum(['pending', 'done']),
      since: z.string(),
      attempts: z.number().int().default(0),
      lastError: z.string().optional(),
      doneAt: z.string().optional(),
    })
    .optional(),
  /** Hash of the type and normalised input, for duplicate detection. */
  hash: z.string().optional(),
  /** Email stages already sent for the current status (so retries do not send twice). */
  sentEmails: z.array(z.string()).default([]),
  /**
   * Stage emails sent again by a wait run again with its own task token (its first run died, and
   * could not tell whether its emails went): the only way a person gets a stage's email twice.
   */
  resentEmails: z.array(z.object({ stage: z.string(), round: z.number().int(), at: z.string() })).optional(),
  /** Admin notes (POST /v1/tasks/{id}/notes), with their author. */
  adminNotes: z.array(z.object({ at: z.string(), by: z.string(), text: z.string() })).default([]),
  /** How many executions the task has had (admin retries start new ones). */
  attempt: z.number().int().default(1),
  /** From creation to completion, for tracking (who, when, input, result, duration, outcome). */
  durationMs: z.number().int().optional(),
  /** Set when the task reaches a terminal state: epoch seconds for DynamoDB TTL. */
  expiresAt: z.number().int().optional(),
  /** Incremented by every write: the ETag. Only a client's `If-Match` makes a write conditional on it. */
  version: z.number().int(),
});
export type Task = z.infer<typeof TaskSchema>;
export type TaskInput = z.input<typeof TaskSchema>;
