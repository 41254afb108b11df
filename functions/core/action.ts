import type { z } from 'zod';
import type { Clock } from '#ports/clock';
import type { TodoStore } from '#ports/todo-store';
import type { UserDirectory } from '#ports/user-directory';
import type { Task } from './task.ts';

/** Ports an action may use. Injected by the composition root; fakes in unit tests. */
export interface ActionPorts {
  readonly directory: UserDirectory;
  /** The example resource `todos`. */
  readonly todos: TodoStore;
  readonly clock: Clock;
}

/**
 * What a stage hook gets: its own validated data, the task (read-only), a cache shared with the
 * other actions of the task during this stage run only, its persisted data, and ways to record
 * notes, validity, an auto-approval vote and the need for a token.
 */
export interface ActionContext<Data> {
  readonly data: Data;
  readonly task: Readonly<Task>;
  /** Shared by the task's actions within one stage run; never persisted. */
  readonly cache: Map<string, unknown>;
  /** The action's persisted data from earlier stages (and earlier attempts of this stage). */
  readonly stored: Readonly<Record<string, unknown>>;
  readonly ports: ActionPorts;
  /** Persists a value for later stages; use it to checkpoint side effects so a retry skips them. */
  persist(key: string, value: unknown): void;
  addNote(text: string): void;
  markValid(valid: boolean): void;
  /** Votes on auto-approval: any `false` vetoes; otherwise any `true` approves. */
  voteAutoApprove(approve: boolean): void;
  /**
   * postApprove only: the task waits for the user to submit this action's token data: the fields of
   * `tokenSchemas[schema]` when a name is given, else of `tokenSchema`.
   */
  requireToken(schema?: string): void;
}

/**
 * One unit of work. Hooks must be idempotent: Step Functions and Lambda retry, and an admin may
 * retry a failed stage. Checkpoint each side effect with `persist` and skip it when present.
 */
export interface ActionDefinition<Schema extends z.ZodObject = z.ZodObject, TokenSchema extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  /** Validates the action's part of the request body. */
  readonly schema: Schema;
  /** Fields the user supplies through the emailed token (e.g. a password), if the action asks. */
  readonly tokenSchema?: TokenSchema;
  /**
   * Named alternatives when what the user supplies depends on what postApprove found (a new
   * account sets a password, an existing one confirms): `ctx.requireToken(name)` picks one, and the
   * token form and its validation show just those fields. Each must parse into `tokenSchema`'s type.
   */
  readonly tokenSchemas?: Readonly<Record<string, z.ZodObject>>;
  /** The address stage emails to the requester go to (the new user, the reset account, ...). */
  recipient?(data: z.infer<Schema>, task: Readonly<Task>): string | undefined;
  preApprove?(ctx: ActionContext<z.infer<Schema>>): Promise<void>;
  postApprove?(ctx: ActionContext<z.infer<Schema>>): Promise<void>;
  submit?(ctx: ActionContext<z.infer<Schema>>, tokenData: z.infer<TokenSchema>): Promise<void>;
}

/** Declares an action with its types inferred from its schemas. */
export const defineAction = <Schema extends z.ZodObject, TokenSchema extends z.ZodObject = z.ZodObject>(
  action: ActionDefinition<Schema, TokenSchema>,
): ActionDefinition<Schema, TokenSchema> => action;
