import * as z from 'zod';
import { ActionContractError, type ActionDefinition } from './action.ts';

/**
 * What an action's schemas make of what its hooks get and keep: its settings (settingsSchema, the
 * task type's `actionSettings[<action>]`) and each value it persists (storedSchema). A mismatch is a
 * bug in the action or its task type, reported as an ActionContractError naming what to fix.
 */

/** `settings` as the hook sees it: parsed by the action's settingsSchema (its defaults filled in); `{}` without one. */
export function settingsOf(action: ActionDefinition, raw: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const schema = action.settingsSchema;
  if (!schema) return {};
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    // The registry checked them at start-up: only settings that bypassed it get here.
    throw new ActionContractError(
      `Action "${action.name}" got settings that do not match its settingsSchema:\n${z.prettifyError(parsed.error)}\nFix actionSettings["${action.name}"] of the task type.`,
      { cause: parsed.error },
    );
  }
  return Object.freeze({ ...parsed.data }) as Record<string, unknown>;
}

/** A value `persist` keeps: parsed by its storedSchema field (any value without a storedSchema). */
export function storedValueOf(action: ActionDefinition, key: string, value: unknown): unknown {
  const schema = action.storedSchema;
  if (!schema) return value;
  const field = (schema.shape as Record<string, z.ZodType | undefined>)[key];
  if (!field) throw new ActionContractError(`Action "${action.name}" persisted "${key}", which its storedSchema does not declare. Add it there.`);
  const parsed = field.safeParse(value);
  if (!parsed.success) {
    throw new ActionContractError(`Action "${action.name}" persisted a "${key}" that does not match its storedSchema: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
