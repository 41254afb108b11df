import type * as z from 'zod';
import type { ActionDefinition, ActionPorts, Stage } from '#core/action';
import type { Identity } from '#core/identity';
import { runStage } from '#core/stages';
import type { ActionRecord, Task } from '#core/task';
import { FakeClock, MemoryDirectory, MemoryTodos } from './fakes.ts';

/**
 * What one hook of one action recorded: the action's record without its name and data, and the
 * project it said the task belongs to (`ctx.setProject`), when it did.
 */
export type HookResult = Omit<ActionRecord, 'name' | 'data' | 'notes'> & { readonly notes: { at: string; text: string; step?: string }[]; readonly projectId?: string };

/** What a task type may set for an action: its settingsSchema's input (every field optional); nothing without one. */
export type SettingsInput<SettingsSchema> = [SettingsSchema] extends [z.ZodObject] ? z.input<SettingsSchema> : never;

export interface RunHookOptions<SettingsSchema = z.ZodObject | undefined> {
  /** The action's part of the request, parsed by its schema as the engine does. */
  readonly data: Record<string, unknown>;
  /** What earlier stages persisted. @default {} */
  readonly stored?: Record<string, unknown>;
  /** submit only: the token data the user sent (the hook then runs as after `requireToken`). @default - no token */
  readonly tokenData?: Record<string, unknown>;
  /** submit only: the named token schema postApprove asked for. @default - its `tokenSchema` */
  readonly tokenSchemaKey?: string;
  /** Fields of the task the hook sees (`createdBy`, `id`, ...). @default - a pending task of nobody */
  readonly task?: Partial<Task>;
  /** Ports to use instead of fresh fakes (MemoryDirectory, FakeClock, MemoryTodos). */
  readonly ports?: Partial<ActionPorts>;
  /**
   * The task type's `actionSettings` for the action, as `ctx.settings` gets them (parsed by its
   * settingsSchema). @default - none: the settingsSchema's defaults
   */
  readonly settings?: SettingsInput<SettingsSchema>;
}

/** The requester as the HTTP layer passes them: `sub-<email>`, the email claim, the roles. */
export const requester = (email: string | undefined, roles: string[] = ['project_admin']): Identity => ({
  sub: `sub-${email ?? 'anonymous'}`,
  ...(email === undefined ? {} : { email }),
  roles,
});

/**
 * Runs one hook of one action without the engine, through the same `runStage` the engine calls,
 * and answers what it recorded. A hook that throws rejects with its error.
 */
export async function runHook<SettingsSchema extends z.ZodObject | undefined>(
  action: ActionDefinition<z.ZodObject, z.ZodObject, z.ZodObject | undefined, SettingsSchema>,
  stage: Stage,
  options: RunHookOptions<SettingsSchema>,
): Promise<HookResult> {
  const ports: ActionPorts = { directory: new MemoryDirectory(), clock: new FakeClock(), todos: new MemoryTodos(), ...options.ports };
  const record: ActionRecord = {
    name: action.name,
    data: options.data,
    valid: stage === 'preApprove' ? null : true,
    autoApprove: null,
    needsToken: options.tokenData !== undefined,
    ...(options.tokenSchemaKey === undefined ? {} : { tokenSchemaKey: options.tokenSchemaKey }),
    notes: [],
    stored: { ...options.stored },
  };
  const task = taskOf(action, record, options.task ?? {}, ports);
  // The task's type declares the action alone, with the settings given.
  const actionSettings = options.settings === undefined ? {} : { [action.name]: options.settings as Record<string, unknown> };
  const registry = { action: () => action as ActionDefinition, taskType: () => ({ actionSettings }) };
  const run = await runStage(task, stage, registry, ports, () => ports.clock.now().toISOString(), options.tokenData);
  if (run.error !== undefined) throw run.error;
  const { name: _name, data: _data, ...result } = run.task.actions[0] as ActionRecord;
  return { ...result, ...(run.projectId === undefined ? {} : { projectId: run.projectId }) };
}

function taskOf(action: Pick<ActionDefinition, 'name'>, record: ActionRecord, fields: Partial<Task>, ports: ActionPorts): Task {
  const at = ports.clock.now().toISOString();
  return {
    id: '01JTASK0000000000000000001',
    type: action.name,
    status: 'pending',
    notes: [],
    history: [],
    createdBy: null,
    createdAt: at,
    updatedAt: at,
    dataRevision: 0,
    rounds: 0,
    sentEmails: [],
    adminNotes: [],
    attempt: 1,
    version: 0,
    ...fields,
    actions: [record],
  };
}
