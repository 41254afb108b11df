import { PowertoolsIdempotency } from '#adapters/powertools/idempotency';
import { createContext } from '#core/context';
import { isApprovedOrLater } from '#core/explain';
import { coreOf, type Decision } from '#core/facades';
import type { Identity } from '#core/identity';
import { Registry } from '#core/registry';
import { postApprove, preApprove } from '#core/stage-runs';
import { submitWithoutToken } from '#core/submit';
import type { TaskType } from '#core/task-type';
import { actions } from '#functions/actions/registry';
import { taskTypes } from '#functions/task-types';
import type { ArchiveLookup } from '#ports/archive-store';
import type { EventPublisher } from '#ports/events';
import type { Mailer } from '#ports/mailer';
import {
  FakeClock,
  MemoryDirectory,
  MemoryDuplicateKeys,
  MemoryIdempotencyStore,
  MemoryNotificationStore,
  MemoryRateLimits,
  MemoryReconcileReports,
  MemorySecretStore,
  MemoryTaskStore,
  MemoryTodos,
  RecordingMailer,
  RecordingWorkflow,
} from './fakes.ts';

/**
 * The core with the shipped actions and task types over in-memory fakes. Task ids and secrets are
 * predictable: `01JTASK…1`, `secret-1xxx…`. `engine` is every facade's methods in one object, for
 * tests that drive a task through several phases as the state machine and people would, plus the
 * stages the steps run, one at a time (`preApprove`, `postApprove`, `submit`), for tests of one stage's
 * work: the AwaitApproval step then finds preApprove done, the AwaitToken step finds postApprove done.
 */
export interface HarnessOptions {
  /** Operators: who gets notifications. @default ['a1@example.com'] */
  readonly operatorEmails?: string[];
  /**
   * The accounts of group `admin` (enabled, `sub-<email>`): who the default approval policy asks.
   * @default the operators' addresses
   */
  readonly admins?: string[];
  /** More task types besides the shipped ones. @default [] */
  readonly extraTaskTypes?: TaskType[];
  readonly ttlMinutes?: number;
  readonly trackActions?: boolean;
  readonly archive?: ArchiveLookup;
  /** Where lifecycle events go. @default - none are published */
  readonly events?: EventPublisher;
  /** Wraps the recording mailer the core sends through (a decorator under test). @default - the recording mailer itself */
  readonly wrapMailer?: (mailer: Mailer) => Mailer;
  /** Receives internal failures that must not break a request. @default - ignored */
  readonly onInternalError?: (message: string, error: unknown) => void;
  /** How long an approval waits for validation. @default 0 (no concurrent validation runs in unit tests) */
  readonly validationWaitMs?: number;
}

export function engineWithFakes(options: HarnessOptions = {}) {
  const clock = new FakeClock();
  const now = () => clock.now().getTime();
  const store = new MemoryTaskStore({ now });
  const secrets = new MemorySecretStore({ now });
  const duplicates = new MemoryDuplicateKeys();
  const idempotency = new MemoryIdempotencyStore();
  const notifications = new MemoryNotificationStore({ now });
  const reconcileReports = new MemoryReconcileReports();
  const rateLimits = new MemoryRateLimits();
  const workflow = new RecordingWorkflow();
  const mailer = new RecordingMailer();
  const directory = new MemoryDirectory();
  const admins = options.admins ?? options.operatorEmails ?? ['a1@example.com'];
  // MemoryDirectory's createUser does its work before it first awaits: the admins exist on return.
  for (const email of admins) void directory.createUser({ email, roles: ['admin'], enabled: true, createdAt: clock.now().toISOString() });
  const todos = new MemoryTodos();
  let ids = 0;
  let secretCount = 0;
  const ctx = createContext({
    tasks: store,
    secrets,
    duplicates,
    idempotency: new PowertoolsIdempotency(idempotency),
    notifications,
    reconcileReports,
    rateLimits,
    workflow,
    mailer: options.wrapMailer ? options.wrapMailer(mailer) : mailer,
    registry: new Registry(actions, [...taskTypes, ...(options.extraTaskTypes ?? [])]),
    ports: { directory, clock, todos },
    config: {
      publicUrl: 'https://api.example.com',
      mailFrom: 'assent@example.com',
      operatorEmails: options.operatorEmails ?? ['a1@example.com'],
      validationWaitMs: options.validationWaitMs ?? 0,
      ...(options.ttlMinutes === undefined ? {} : { ttlMinutes: options.ttlMinutes }),
      ...(options.trackActions === undefined ? {} : { trackActions: options.trackActions }),
    },
    ...(options.archive ? { archive: options.archive } : {}),
    newId: () => `01JTASK${String(++ids).padStart(19, '0')}`,
    newSecret: () => `secret-${++secretCount}`.padEnd(43, 'x'),
    sleep: async () => undefined,
    ...(options.events ? { events: options.events } : {}),
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
  });
  const core = coreOf(ctx);
  const stages = {
    /** preApprove alone: whether the task is approved (or further) after it. */
    preApprove: async (taskId: string) => ({ autoApprove: isApprovedOrLater((await preApprove(ctx, taskId)).status) }),
    /** postApprove alone, on an approved task: whether an action asked for a token. */
    postApprove: async (taskId: string) => ({ tokenRequired: (await postApprove(ctx, await ctx.committer.read(taskId))).actions.some((action) => action.needsToken) }),
    /** The submit stage and the completion of an approved task that needs no token. */
    submit: async (taskId: string) => {
      await submitWithoutToken(ctx, await ctx.committer.read(taskId));
    },
  };
  const approvers = {
    /**
     * A vote through the API (as `POST /v1/tasks/{id}/approve|reject`): by `options.approver`, or
     * else by the first admin, the default policy's approver.
     */
    decide: (taskId: string, decision: Decision, reason?: string, options: { approver?: Identity; ifMatch?: number } = {}) =>
      core.approvals.vote(taskId, options.approver ?? identity(admins[0], ['admin']), decision, reason, options.ifMatch),
  };
  const engine = { ...core.requests, ...core.steps, ...core.admin, ...core.approvals, ...core.reads, ...stages, ...approvers };
  return { core, engine, admins, store, secrets, duplicates, idempotency, notifications, reconcileReports, rateLimits, workflow, mailer, directory, clock, todos };
}

export type Engine = ReturnType<typeof engineWithFakes>['engine'];

/** The secret of the first approval or token link in an email's text. */
export const linkSecret = (text: string | undefined): string => /\/v1\/(?:approvals|tokens)\/([\w-]{43})/.exec(text ?? '')?.[1] ?? '';

/**
 * A sign-up driven as the state machine and people drive it up to its token email, approved through
 * the emailed link: answers the task id and the token's secret.
 */
export async function signUpToToken({ engine, mailer }: Pick<ReturnType<typeof engineWithFakes>, 'engine' | 'mailer'>): Promise<{ id: string; token: string }> {
  const task = await engine.createTask('sign-up', { email: 'ann@example.com', projectName: 'apollo' }, undefined);
  await engine.preApprove(task.id);
  await engine.awaitApproval(task.id, 'sfn-approval');
  await engine.decideByLink(linkSecret(mailer.sent.at(-1)?.text), 'approve');
  await engine.postApprove(task.id);
  await engine.awaitToken(task.id, 'sfn-token');
  return { id: task.id, token: linkSecret(mailer.sent.at(-1)?.text) };
}

/** A JWT identity as the HTTP layer passes it to the core. */
export const identity = (email: string | undefined, roles: string[] = ['project_admin']): Identity => ({
  sub: `sub-${email ?? 'anonymous'}`,
  ...(email === undefined ? {} : { email }),
  roles,
});

/** The text of every note an action left, in order. */
export const notesOf = (task: { actions: readonly { notes: readonly { text: string }[] }[] } | undefined, index = 0): string[] =>
  task?.actions[index]?.notes.map((note) => note.text) ?? [];

/**
 * The field errors of a refused token submission: on the error itself (a schema error), or on its
 * cause (an action's submit refused the data).
 */
export const fieldErrorsOf = (error: unknown): unknown =>
  (error as { errors?: unknown }).errors ?? (error as { cause?: { errors?: unknown } }).cause?.errors;

/**
 * Makes `method` of `target` do its work once and then throw, the way a Lambda that times out after
 * a side effect and before its checkpoint looks to the next attempt.
 */
export function crashAfterFirstCall<T extends object>(target: T, method: keyof T & string): void {
  const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
  let calls = 0;
  Object.assign(target, {
    [method]: async (...args: unknown[]) => {
      const result = await original(...args);
      if (++calls === 1) throw new Error(`Task timed out after ${method}`);
      return result;
    },
  });
}
