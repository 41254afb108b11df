import type { z } from 'zod';
import type { Clock } from '#ports/clock';
import type { UserDirectory } from '#ports/user-directory';
import type { Task } from './task.ts';

/**
 * Ports an action may use, injected by the composition root (fakes in tests). Core knows only
 * these; the app adds its own by declaration merging next to the port it adds, e.g.
 * `declare module '#core/action' { interface ActionPorts { readonly todos: TodoStore } }`
 * (see functions/resources.ts), and its composition root passes them with the others.
 */
export interface ActionPorts {
  readonly directory: UserDirectory;
  readonly clock: Clock;
}

/**
 * A stage: one of an action's hooks. The engine calls the first three in this order; `undo` only
 * when a task that was approved ends without completing (cancelled, expired), or before a failed
 * task's data is replaced (docs/workflow.md "Compensation").
 */
export type Stage = 'preApprove' | 'postApprove' | 'submit' | 'undo';

/** What one validation step found: whether it passed, and the note that says so. */
export interface StepOutcome {
  readonly ok: boolean;
  readonly note: string;
}

export const pass = (note: string): StepOutcome => ({ ok: true, note });
export const fail = (note: string): StepOutcome => ({ ok: false, note });

/** One named validation step (`ctx.validate`). Its outcome is noted with its name. */
export interface ValidationStep<Context = ActionContext<unknown>> {
  /** kebab-case, recorded on the step's note (`requester-project`, `address-is-free`). */
  readonly name: string;
  run(ctx: Context): Promise<StepOutcome>;
}

export interface ValidateOptions {
  /**
   * What a failing step decides. `invalid`: the action is invalid and the task type decides what
   * happens (an admin sees why). `refuse`: as `ctx.refuse`, so a self-service request is rejected
   * at once instead of queued for an admin who could not approve it anyway.
   * @default 'invalid'
   */
  readonly onFailure?: 'invalid' | 'refuse';
}

export interface RequireApprovalOptions {
  /**
   * A level of the task type's approval policy declared `onlyWhenAsked` (e.g. `security`) that this
   * request needs besides the levels that always apply. Recorded on the action's record
   * (`approvalLevels`); a level the policy does not declare is not opened.
   * @default - only the levels that always apply
   */
  readonly level?: string;
}

/**
 * What a stage hook gets: its own validated data, the task (read-only), a cache shared with the
 * other actions of the task during this stage run only, its persisted data, its settings, its ports,
 * and ways to validate, decide and note. `Stored` is the type of what `persist` keeps (from
 * `storedSchema`); `Settings` the type of `settings` (from `settingsSchema`).
 */
export interface ActionContext<Data, Stored extends Record<string, unknown> = Record<string, unknown>, Settings extends Record<string, unknown> = Record<string, unknown>> {
  readonly data: Data;
  readonly task: Readonly<Task>;
  /** Shared by the task's actions within one stage run; never persisted. */
  readonly cache: Map<string, unknown>;
  /** What earlier stages (and earlier attempts of this one) persisted, parsed by `storedSchema`. */
  readonly stored: Readonly<Partial<Stored>>;
  /**
   * The task type's settings for this action (`actionSettings[<action>]`), parsed by
   * `settingsSchema`: its defaults where the task type sets nothing. `{}` without a settingsSchema.
   */
  readonly settings: Readonly<Settings>;
  readonly ports: ActionPorts;
  /** Persists a value for later stages; checkpoint each side effect with it so a retry skips it. */
  persist<Key extends keyof Stored & string>(key: Key, value: Stored[Key]): void;
  /** A value an earlier stage persisted; throws `ActionContractError` when it never was. */
  recall<Key extends keyof Stored & string>(key: Key): Stored[Key];
  addNote(text: string): void;
  /**
   * Runs the steps in order, noting each outcome with its step's name. The first failing step
   * stops the run and makes the action invalid (see `options.onFailure`); when all pass it is
   * valid. Returns whether it is valid.
   */
  validate(steps: readonly ValidationStep<ActionContext<Data, Stored, Settings>>[], options?: ValidateOptions): Promise<boolean>;
  /**
   * The action is invalid, for the noted reason. In preApprove the request is also refused without
   * a human (the action votes to auto-decide, and the task is rejected when its type runs
   * unattended); in a later stage the stage fails as invalid.
   */
  refuse(reason: string): void;
  /**
   * preApprove only: the action is valid, but a human must approve it, for the noted reason. With
   * `options.level`, that `onlyWhenAsked` level of the approval policy applies too. May be called
   * more than once (each reason noted, the levels collected).
   */
  requireApproval(reason: string, options?: RequireApprovalOptions): void;
  /** preApprove only: the action is valid and needs no human, for the noted reason (if its task type allows auto-approval). */
  waiveApproval(reason: string): void;
  /** Lower level than `validate` and `refuse`: sets validity without a note. */
  markValid(valid: boolean): void;
  /** Lower level than the decisions: any `false` vetoes auto-approval; otherwise any `true` approves. */
  voteAutoApprove(approve: boolean): void;
  /**
   * postApprove only: the task waits for the user to submit this action's token data: the fields of
   * `tokenSchemas[schema]` when a name is given, else of `tokenSchema`.
   */
  requireToken(schema?: string): void;
  /**
   * preApprove and postApprove only: the task belongs to this project. Committed with the stage's
   * results as the task's `projectId`: the project's admins may then list and read the task, cancel
   * it and reissue its token. The `requester-project` step calls it once it found the requester's
   * project; an action that creates one (sign-up) calls it with the new project's id. Two actions of
   * a task naming different projects in one stage is an `ActionContractError`.
   */
  setProject(projectId: string): void;
}

/** The type `persist` keeps: the `storedSchema`'s, or any JSON values without one. */
export type StoredOf<StoredSchema> = [StoredSchema] extends [z.ZodObject] ? z.infer<StoredSchema> : Record<string, unknown>;

/** The type of `ctx.settings`: the `settingsSchema`'s output (defaults filled in); without one, always `{}`. */
export type SettingsOf<SettingsSchema> = [SettingsSchema] extends [z.ZodObject] ? z.infer<SettingsSchema> : Record<string, unknown>;

/** The context of an action's hooks, typed by its schemas. */
type HookContext<Schema extends z.ZodObject, StoredSchema, SettingsSchema> = ActionContext<z.infer<Schema>, StoredOf<StoredSchema>, SettingsOf<SettingsSchema>>;

/**
 * One unit of work. Hooks must be idempotent: Step Functions and Lambda retry, and an admin may
 * retry a failed stage. Checkpoint each side effect with `persist` and skip it when present.
 */
export interface ActionDefinition<
  Schema extends z.ZodObject = z.ZodObject,
  TokenSchema extends z.ZodObject = z.ZodObject,
  StoredSchema extends z.ZodObject | undefined = z.ZodObject | undefined,
  SettingsSchema extends z.ZodObject | undefined = z.ZodObject | undefined,
> {
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
  /**
   * What the action persists (JSON values: they are saved with the task). Types `ctx.stored`,
   * `persist` and `recall`; every key is optional until persisted.
   * @default - any keys, values `unknown`
   */
  readonly storedSchema?: StoredSchema;
  /**
   * What a task type may set for this action (`actionSettings: { <action>: {...} }`), as
   * `ctx.settings`. Every field must have a default (`z.number().default(30)`): a task type that sets
   * nothing gets the defaults. The registry checks each task type's settings against it at start-up.
   * @default - the action takes no settings
   */
  readonly settingsSchema?: SettingsSchema;
  /** The address stage emails to the requester go to (the new user, the reset account, ...). */
  recipient?(data: z.infer<Schema>, task: Readonly<Task>): string | undefined;
  preApprove?(ctx: HookContext<Schema, StoredSchema, SettingsSchema>): Promise<void>;
  postApprove?(ctx: HookContext<Schema, StoredSchema, SettingsSchema>): Promise<void>;
  submit?(ctx: HookContext<Schema, StoredSchema, SettingsSchema>, tokenData: z.infer<TokenSchema>): Promise<void>;
  /**
   * Compensation: reverses what postApprove (and submit) did, reading `ctx.stored` to know what that
   * was. Runs in reverse action order, and again after a crash or a late postApprove, so it must be
   * idempotent: removing what is already gone is success. Afterwards the action's stored data is
   * cleared, as if postApprove had never run.
   */
  undo?(ctx: HookContext<Schema, StoredSchema, SettingsSchema>): Promise<void>;
}

/** Declares an action with its types inferred from its schemas. */
export const defineAction = <
  Schema extends z.ZodObject,
  TokenSchema extends z.ZodObject = z.ZodObject,
  StoredSchema extends z.ZodObject | undefined = undefined,
  SettingsSchema extends z.ZodObject | undefined = undefined,
>(
  action: ActionDefinition<Schema, TokenSchema, StoredSchema, SettingsSchema>,
): ActionDefinition<Schema, TokenSchema, StoredSchema, SettingsSchema> => action;

export { ActionContractError } from './errors.ts';
