import * as z from 'zod';
import { NotificationSchema } from '#core/notification';
import { type TaskStatus, TaskStatusSchema } from '#core/task';
import { AccessSchema, TaskTypeSchema } from '#core/task-type';
import { ReconcileReportSchema } from '#ports/reconcile-report';
import { TodoSchema } from '#ports/todo-store';
import type { HttpResponse } from './http-types.ts';
import { json } from './responses.ts';
import { ActorComponent, AdminTaskViewSchema, ApprovalProgressSchema, ApprovalViewSchema, ApproverTaskViewSchema, NoteComponent, RequesterTaskViewSchema, TaskStatusComponent, TokenViewSchema } from './view-schemas.ts';

/**
 * What the routes answer, as zod schemas: each handler answers through {@link answer} with its
 * schema, so the body it builds must have the schema's type, and /v1/openapi.json documents the
 * same schema. Every `.meta({ id })` is a named component (`#/components/schemas/<id>`).
 */

/** A JSON answer whose body the compiler checks against `schema`: the route's documented answer. */
export const answer = <S extends z.ZodType>(_schema: S, statusCode: number, body: z.output<S>, headers: Record<string, string> = {}): HttpResponse =>
  json(statusCode, body, headers);

const FieldErrorSchema = z.object({ path: z.string(), message: z.string() }).meta({ id: 'FieldError', description: 'One bad field: its dotted path (`data.email`, `query.limit`, `headers.if-match`) and what is wrong.' });

/** RFC 9457 problem document, as every error is answered (functions/http/middleware.ts). */
export const ProblemSchema = z
  .looseObject({
    type: z.url(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document (`application/problem+json`); a 400 lists each bad field in `errors`. Some problems add members (`taskId`, `reason`, …).' });

/** `POST /v1/tasks` 202, and the other answers that name a task and its status. */
export const TaskRefSchema = z.object({ id: z.string(), type: z.string(), status: TaskStatusComponent }).meta({ id: 'TaskRef', description: 'A task by id, with its type and status.' });
export const TaskStatusRefSchema = TaskRefSchema.pick({ id: true, status: true }).meta({ id: 'TaskStatusRef', description: 'A task by id, with its status.' });
/** `POST /v1/tasks` 202 for task types with `response: 'uniform'`: the same whatever happens next. */
export const UniformAcceptedSchema = z
  .object({ type: z.string(), status: z.literal('accepted'), detail: z.string() })
  .meta({ id: 'UniformAccepted', description: 'The answer of task types that must not reveal what happens next (reset-password): always the same, no task id.' });

const page = <K extends string, T extends z.ZodType>(id: string, key: K, item: T) =>
  z.object({ ...({ [key]: z.array(item) } as Record<K, z.ZodArray<T>>), cursor: z.string().optional() }).meta({ id, description: 'A page, newest first; `cursor` (absent on the last page) gets the next.' });

/** `POST /v1/tasks` 202. */
export const TaskCreatedSchema = z.union([TaskRefSchema, UniformAcceptedSchema]);

export const TaskAnyViewSchema = z.union([AdminTaskViewSchema, RequesterTaskViewSchema, ApproverTaskViewSchema]);
/** `GET /v1/tasks` items: approvers list only their own tasks, so no approver view. */
export const TaskListViewSchema = z.union([AdminTaskViewSchema, RequesterTaskViewSchema]);
export const TaskPageSchema = page('TaskPage', 'tasks', TaskListViewSchema);

/** `PUT /v1/tasks/{id}`: validity after preApprove re-ran on the new data. */
export const UpdatedTaskSchema = z
  .object({ id: z.string(), status: TaskStatusComponent, valid: z.boolean(), actions: z.array(z.object({ name: z.string(), valid: z.boolean().nullable(), notes: z.array(NoteComponent) })) })
  .meta({ id: 'UpdatedTask', description: "The task's validity after preApprove ran on its new data, each action's validity and notes." });

/** Approve and reject: the task's status and its approval's progress (approvedBy when it is approved). */
export const VoteAnswerSchema = TaskStatusRefSchema.extend({ approvedBy: ActorComponent.optional(), approvedAt: z.string().optional(), approval: ApprovalProgressSchema.optional() }).meta({
  id: 'VoteAnswer',
  description: "Your vote counted: the task's status and approval progress (approved at the last level's quorum).",
});
export const RejectAnswerSchema = TaskStatusRefSchema.extend({ reason: z.string(), approval: ApprovalProgressSchema.optional() }).meta({ id: 'RejectAnswer', description: 'Rejected: the task ended; the reason is recorded and emailed to the requester.' });
export const VoteQueuedSchema = TaskStatusRefSchema.extend({ detail: z.string() }).meta({ id: 'VoteQueued', description: 'The task is still being validated: your vote is recorded and counts as soon as validation ends.' });
export const DelegatedSchema = TaskStatusRefSchema.extend({ delegatedTo: z.string(), approval: ApprovalProgressSchema.optional() }).meta({ id: 'Delegated', description: 'Your vote at the open level went to `delegatedTo`, who got a link; yours no longer works.' });

/** `GET /v1/inbox` (functions/core/approval-inbox.ts `InboxItem`). */
export const InboxItemSchema = z
  .object({
    taskId: z.string(),
    type: z.string(),
    createdAt: z.string(),
    level: z.object({ name: z.string(), number: z.number().int(), of: z.number().int() }),
    quorum: z.number().int(),
    approvals: z.number().int(),
    openedAt: z.string().optional(),
    due: z.string().optional(),
    onBehalfOf: z.string().optional(),
  })
  .meta({ id: 'InboxItem', description: 'A task waiting for your vote: its open level (number of how many apply), quorum progress, due date; `onBehalfOf` when you hold a delegated vote.' });
export const InboxPageSchema = page('InboxPage', 'items', InboxItemSchema);

/** `POST /v1/inbox/decisions` (functions/core/approval-inbox.ts `BulkResult`). */
export const BulkResultSchema = z
  .discriminatedUnion('ok', [
    z.object({ taskId: z.string(), ok: z.literal(true), status: TaskStatusComponent, level: z.string().optional() }),
    z.object({ taskId: z.string(), ok: z.literal(false), problem: z.object({ status: z.number().int(), type: z.string(), title: z.string(), detail: z.string() }) }),
  ])
  .meta({ id: 'BulkResult', description: "One decision's outcome: the task's status (and the level now open), or the problem that stopped it, as the single route would have answered." });
export const BulkResultsSchema = z.object({ results: z.array(BulkResultSchema), succeeded: z.number().int(), failed: z.number().int() }).meta({ id: 'BulkResults', description: 'One result per decision, in order, and how many counted.' });

/** Admin operations on a task. */
export const AdminNotesSchema = z.object({ id: z.string(), adminNotes: z.array(z.object({ at: z.string(), by: z.string(), text: z.string() })) }).meta({ id: 'AdminNotes', description: "The task's admin notes, the new one last." });
export const TokenReissuedSchema = TaskStatusRefSchema.extend({ detail: z.string() }).meta({ id: 'TokenReissued', description: 'A new token was emailed; the old link no longer works.' });
export const RetriedSchema = TaskStatusRefSchema.extend({ attempt: z.number().int() }).meta({ id: 'Retried', description: 'The task runs again from the step that failed, as execution number `attempt`.' });

/** The approval link's request, and the token's. */
export const ApprovalRequestSchema = z
  .object({ task: ApprovalViewSchema, approver: z.string().optional(), validUntil: z.string(), approval: ApprovalProgressSchema.optional() })
  .meta({ id: 'ApprovalRequest', description: 'What an approval link asks to decide: the task, who the link is for, until when it works, and where the approval stands.' });
export const LinkDecisionSchema = TaskStatusRefSchema.extend({ delegatedTo: z.string().optional() }).meta({ id: 'LinkDecision', description: 'The vote counted (or, with `delegate`, went to `delegatedTo`).' });
export const JsonSchemaSchema = z.record(z.string(), z.unknown()).meta({ id: 'JsonSchema', description: 'A JSON Schema (draft 2020-12) document.' });
export const TokenRequestSchema = z
  .object({ taskType: z.string(), taskId: z.string(), validUntil: z.string(), requiresSignIn: z.boolean(), fields: z.array(z.string()), schema: JsonSchemaSchema })
  .meta({ id: 'TokenRequest', description: "What a token needs: its fields, as JSON Schema, and whether its submit needs the requester's bearer token." });

/** Admin reads. */
export const TokenPageSchema = page('TokenPage', 'tokens', TokenViewSchema);
export const SweptSchema = z.object({ deleted: z.number().int() }).meta({ id: 'Swept', description: 'How many expired tokens were deleted.' });
export const NotificationComponent = NotificationSchema.meta({ id: 'Notification', description: 'An operator notification: something went wrong with a task.' });
export const NotificationPageSchema = page('NotificationPage', 'notifications', NotificationComponent);
export const AcknowledgedSchema = z.object({ acknowledged: z.array(z.string()), unknown: z.array(z.string()) }).meta({ id: 'Acknowledged', description: 'The ids acknowledged now or before, and those that name no notification.' });
const TaskSummarySchema = TaskRefSchema.extend({ createdAt: z.string() });
export const StatusSchema = z
  .object({
    counts: z.object(Object.fromEntries(TaskStatusSchema.options.map((status) => [status, z.number().int()])) as Record<TaskStatus, z.ZodNumber>),
    lastCreated: TaskSummarySchema.nullable(),
    lastCompleted: TaskSummarySchema.extend({ completedAt: z.string().optional() }).nullable(),
    unacknowledgedErrors: z.array(NotificationComponent),
    unacknowledgedErrorCount: z.number().int(),
    stranded: ReconcileReportSchema.meta({ id: 'ReconcileReport', description: 'What the last reconcile run found: open tasks checked, stranded ones started, resumed or failed, reminders, escalations, deadlines.' }).nullable(),
  })
  .meta({ id: 'Status', description: "Counts per status, the newest task, the latest completion, unacknowledged errors, and the last reconcile run's report (null before its first run)." });

/** `GET /v1/task-types`. */
export const TaskTypeListingSchema = z
  .object({
    taskTypes: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        access: AccessSchema,
        autoApprove: z.boolean(),
        duplicatePolicy: TaskTypeSchema.shape.duplicatePolicy.unwrap(),
        tokenTtlSeconds: z.number().int(),
        tokenRequiresAuth: z.boolean(),
        approvalTtlSeconds: z.number().int(),
        actions: z.array(z.object({ name: z.string(), description: z.string() })),
        inputSchema: JsonSchemaSchema,
      }),
    ),
  })
  .meta({ id: 'TaskTypeListing', description: 'The task types: who may ask, auto-approval, duplicates, expiries, their actions and the JSON Schema of their input (`data` of POST /v1/tasks).' });

/** `GET /v1/actions` and the resource routes. */
export const ResourceListingSchema = z
  .object({
    resources: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        basePath: z.string(),
        actions: z.array(
          z.object({
            name: z.string(),
            description: z.string(),
            scope: z.enum(['instance', 'collection']),
            stability: z.enum(['alpha', 'beta', 'stable']),
            warning: z.string().optional(),
            approval: z.enum(['auto', 'admin']),
            method: z.literal('POST'),
            path: z.string(),
            taskType: z.string(),
            inputSchema: JsonSchemaSchema,
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'ResourceListing', description: 'The resources and their actions: scope, stability (alpha ones warned), approval, path, task type and input JSON Schema.' });
export const TodoComponent = TodoSchema.meta({ id: 'Todo', description: 'An item of the example resource `todos`.' });
export const TodoListSchema = z.object({ todos: z.array(TodoComponent) }).meta({ id: 'TodoList', description: 'Todos, newest first.' });
export const ActionResultSchema = z.object({ taskId: z.string(), status: z.literal('completed'), result: z.unknown() }).meta({ id: 'ActionResult', description: "The action's task completed within the request: its result (null when it gave none)." });
export const ActionAcceptedSchema = z
  .object({ taskId: z.string(), type: z.string(), status: TaskStatusComponent, task: z.string() })
  .meta({ id: 'ActionAccepted', description: 'The action waits for an approval or a token (or took longer than the request waits): follow `task`.' });

/** `GET /` and `GET /v1`. */
export const ApiRootSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    version: z.string(),
    apiVersion: z.literal('v1'),
    links: z.object({ docs: z.string(), openapi: z.string(), api: z.string(), console: z.string() }),
  })
  .meta({ id: 'ApiRoot', description: 'What this API is: its name, the version deployed, and where its documentation is.' });

/** `GET /v1/openapi.json`. */
export const OpenApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }).meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document.' });
