import type { z } from 'zod';
import type { ActionContext, ActionDefinition, ActionPorts } from './action.ts';
import type { Registry } from './registry.ts';
import type { ActionRecord, Task } from './task.ts';

export type Stage = 'preApprove' | 'postApprove' | 'submit';

export interface StageRun {
  /** The task with each action's record updated by its hook (notes, validity, votes, stored data). */
  readonly task: Task;
  /** The error a hook threw, if any; actions after it did not run. */
  readonly error?: unknown;
}

/**
 * Runs one stage's hook on every action of the task, in order, with a cache shared by the actions
 * for this run only. Returns the updated task even when a hook throws, so that the checkpoints the
 * earlier actions persisted are saved before the error goes on.
 */
export async function runStage(
  task: Task,
  stage: Stage,
  registry: Registry,
  ports: ActionPorts,
  at: () => string,
  tokenData: Record<string, unknown> = {},
): Promise<StageRun> {
  const cache = new Map<string, unknown>();
  const records: ActionRecord[] = task.actions.map((record) => ({ ...record }));
  for (const [index, record] of records.entries()) {
    const action = registry.action(record.name);
    const hook = action[stage];
    if (!hook) continue;
    const { context, result } = contextFor(action, record, task, cache, ports, at);
    try {
      if (stage === 'submit') {
        const schema = record.needsToken ? tokenSchemaOf(action, record.tokenSchemaKey) : undefined;
        const parsed = schema ? schema.parse(tokenData) : {};
        await (hook as NonNullable<ActionDefinition['submit']>).call(action, context, parsed);
      } else {
        await (hook as NonNullable<ActionDefinition['preApprove']>).call(action, context);
      }
    } catch (error) {
      records[index] = result();
      return { task: { ...task, actions: records }, error };
    }
    records[index] = result();
  }
  return { task: { ...task, actions: records } };
}

function contextFor(
  action: ActionDefinition,
  record: ActionRecord,
  task: Task,
  cache: Map<string, unknown>,
  ports: ActionPorts,
  at: () => string,
): { context: ActionContext<Record<string, unknown>>; result: () => ActionRecord } {
  const state = {
    valid: record.valid,
    autoApprove: record.autoApprove,
    needsToken: record.needsToken,
    tokenSchemaKey: record.tokenSchemaKey,
    notes: [...record.notes],
    stored: { ...record.stored },
  };
  const context: ActionContext<Record<string, unknown>> = {
    data: action.schema.parse(record.data) as Record<string, unknown>,
    task,
    cache,
    stored: state.stored,
    ports,
    persist: (key, value) => {
      state.stored[key] = value;
    },
    addNote: (text) => {
      state.notes.push({ at: at(), text });
    },
    markValid: (valid) => {
      state.valid = valid;
    },
    voteAutoApprove: (approve) => {
      state.autoApprove = approve;
    },
    requireToken: (schema) => {
      if (!tokenSchemaOf(action, schema)) {
        throw new Error(`Action "${action.name}" asked for token schema "${schema ?? 'tokenSchema'}", which it does not declare.`);
      }
      state.needsToken = true;
      state.tokenSchemaKey = schema;
    },
  };
  return {
    context,
    result: () => {
      const { tokenSchemaKey, ...rest } = state;
      return { ...record, ...rest, ...(tokenSchemaKey === undefined ? {} : { tokenSchemaKey }) };
    },
  };
}

/** The token schema an action asked for: a named one of `tokenSchemas`, or its `tokenSchema`. */
export function tokenSchemaOf(action: ActionDefinition, key: string | undefined): z.ZodObject | undefined {
  return key === undefined ? action.tokenSchema : action.tokenSchemas?.[key];
}

/** Auto-approval: the task type allows it, no action vetoed, at least one voted yes. */
export function votesToApprove(task: Task): boolean {
  const votes = task.actions.map((action) => action.autoApprove);
  return !votes.includes(false) && votes.includes(true);
}

export const invalidActions = (task: Task): ActionRecord[] => task.actions.filter((action) => !action.valid);
