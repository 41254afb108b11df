import * as z from 'zod';
import { LEVEL_STATES, VOTE_CHANNELS, DelegationSchema } from '#core/approval-state';
import { ActorSchema } from '#core/identity';
import { NoteSchema, TaskSchema, TaskStatusSchema, WaitSchema } from '#core/task';

/**
 * The shapes of the task, approval and token views (functions/http/views.ts types its functions with
 * them), each a named component of /v1/openapi.json: `.meta({ id })` puts it in zod's global registry,
 * and functions/http/openapi.ts turns every schema with an id into `#/components/schemas/<id>`.
 * `.meta()` returns a copy, so the core's schemas stay unnamed wherever else they are converted.
 */

export const TaskStatusComponent = TaskStatusSchema.meta({ id: 'TaskStatus', description: 'pending → approved → awaiting_token → completed; side exits rejected, cancelled, failed, expired.' });
export const ActorComponent = ActorSchema.meta({ id: 'Actor', description: 'Who did something: a user, an admin, a project admin, an approver, or the system.' });
export const NoteComponent = NoteSchema.meta({ id: 'Note', description: 'A note an action (or the core) left; `step` names the validation step that wrote it.' });

/** Where a task's approval stands without who: each level's state and quorum progress, due date. */
export const ApprovalProgressSchema = z
  .object({
    level: z.string().optional(),
    levels: z.array(z.object({ name: z.string(), state: z.string(), quorum: z.number(), approvals: z.number(), due: z.string().optional() })),
  })
  .meta({ id: 'ApprovalProgress', description: "Where a task's approval stands, without who voted: the level it is at, each level's state, quorum and approvals so far, due date." });

/** A task's approval as admins read it (views.ts `approvalStateView`). */
export const ApprovalStateViewSchema = z
  .object({
    level: z.string().optional(),
    nextAt: z.string().optional(),
    levels: z.array(
      z.object({
        name: z.string(),
        state: z.enum(LEVEL_STATES),
        quorum: z.number(),
        approvals: z.number(),
        openedAt: z.string().optional(),
        due: z.string().optional(),
        approvers: z.array(z.object({ email: z.string(), via: z.string(), onBehalfOf: z.string().optional() })),
        votes: z.array(
          z.object({ by: z.string(), decision: z.enum(['approve', 'reject']), at: z.string(), via: z.enum(VOTE_CHANNELS), reason: z.string().optional(), onBehalfOf: z.string().optional() }),
        ),
        reminders: z.object({ at: z.array(z.string()), sent: z.array(z.string()) }),
        delegations: z.array(DelegationSchema),
        escalatedAt: z.string().optional(),
        escalatedTo: z.array(z.string()).optional(),
        reason: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'ApprovalState', description: "A task's approval as admins read it: each level with its approvers, votes (who, when, how, why) in the order cast, due date, reminders, delegations and escalation." });

/** A task as admins see it (views.ts `adminTaskView`). */
export const AdminTaskViewSchema = TaskSchema.omit({ wait: true, tokenUse: true, awaiting: true, approval: true, status: true, notes: true, history: true })
  .extend({
    status: TaskStatusComponent,
    notes: z.array(NoteComponent),
    history: z.array(TaskSchema.shape.history.element.extend({ by: ActorComponent })),
    approval: ApprovalStateViewSchema.optional(),
    waitingFor: WaitSchema.shape.kind.optional(),
    waitingSince: z.string().optional(),
    tokenSubmittedAt: z.string().optional(),
  })
  .meta({ id: 'Task', description: "A task as admins see it: everything but the Step Functions token and the inbox's lookup keys; its approval readable." });

/** A task as its requester sees it, and as its project's admins and its approvers read it. */
export const RequesterTaskViewSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    status: TaskStatusComponent,
    projectId: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().optional(),
    actions: z.array(z.object({ name: z.string(), data: z.record(z.string(), z.unknown()) })),
    history: z.array(z.object({ at: z.string(), event: z.string(), status: TaskStatusComponent })),
    approval: ApprovalProgressSchema.optional(),
  })
  .meta({ id: 'RequesterTaskView', description: 'A task as its requester (and its project\'s admins, and its approvers) see it: what was asked for and where it stands. No notes, no failure detail, no approver identities.' });
export type RequesterTaskView = z.infer<typeof RequesterTaskViewSchema>;

/** What an approver sees through a link (views.ts `approvalView`). */
export const ApprovalViewSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    status: TaskStatusComponent,
    createdAt: z.string(),
    actions: z.array(z.object({ name: z.string(), data: z.record(z.string(), z.unknown()), valid: z.boolean().nullable(), notes: z.array(NoteComponent) })),
  })
  .meta({ id: 'ApprovalTaskView', description: 'The task as an approver sees it through a link: the request, each action\'s validity (null while it validates) and notes.' });

/** A task as the people its approval names read it (views.ts `approverTaskView`). */
export const ApproverTaskViewSchema = ApprovalViewSchema.extend({
  updatedAt: z.string(),
  requester: z.string().optional(),
  projectId: z.string().optional(),
  history: z.array(z.object({ at: z.string(), event: z.string(), status: TaskStatusComponent })),
  approval: ApprovalProgressSchema.optional(),
}).meta({ id: 'ApproverTaskView', description: "A task as the people its approval names read it: the request with its validity and notes, who asked, where it stands and the approval's progress (no other approvers' identities)." });

/** A token as admins see it (views.ts `tokenView`). */
export const TokenViewSchema = z
  .object({
    id: z.string(),
    taskId: z.string(),
    state: z.enum(['live', 'used', 'expired', 'revoked']),
    createdAt: z.string(),
    validUntil: z.string(),
    usedAt: z.string().optional(),
    revokedReason: z.string().optional(),
  })
  .meta({ id: 'TokenView', description: 'A token as admins see it: never the secret; `id` is the first 12 characters of its hash.' });
