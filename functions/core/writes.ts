import type { TaskCondition, TaskPath, TaskUpdate } from '#ports/task-store';
import type { Actor } from './identity.ts';
import type { HistoryEntry, Task, TaskStatus } from './task.ts';
import { transition } from './transitions.ts';

/**
 * What a phase wants to write: a targeted update plus, when the status changes, the history entry
 * of that transition (the committer adds the TTL of a terminal status and announces the events).
 */
export interface Write {
  readonly set: { readonly path: TaskPath; readonly value: unknown }[];
  readonly remove: TaskPath[];
  readonly append: { readonly path: TaskPath; readonly items: readonly unknown[] }[];
  readonly conditions: TaskCondition[];
  /** Set by `moveTo`: the status change this write makes. */
  entry?: HistoryEntry;
}

export const emptyWrite = (): Write => ({ set: [], remove: [], append: [], conditions: [] });

/** Builds a write from parts; later parts add to earlier ones. */
export function write(...parts: readonly Partial<Write>[]): Write {
  const result = emptyWrite();
  for (const part of parts) {
    result.set.push(...(part.set ?? []));
    result.remove.push(...(part.remove ?? []));
    result.append.push(...(part.append ?? []));
    result.conditions.push(...(part.conditions ?? []));
    if (part.entry) result.entry = part.entry;
  }
  return result;
}

export const set = (values: Partial<Record<keyof Task, unknown>>): Partial<Write> => ({
  set: Object.entries(values).map(([key, value]) => ({ path: [key as keyof Task & string], value })),
});
export const setAt = (path: TaskPath, value: unknown): Partial<Write> => ({ set: [{ path, value }] });
export const remove = (...keys: (keyof Task & string)[]): Partial<Write> => ({ remove: keys.map((key) => [key] as TaskPath) });
export const append = (key: keyof Task & string, ...items: unknown[]): Partial<Write> => ({ append: [{ path: [key], items }] });

export const statusIs = (...statuses: TaskStatus[]): Partial<Write> => ({
  conditions: [statuses.length === 1 ? { path: ['status'], equals: statuses[0] as TaskStatus } : { path: ['status'], in: statuses }],
});
export const when = (condition: TaskCondition): Partial<Write> => ({ conditions: [condition] });

export interface MoveInput {
  readonly to: TaskStatus;
  readonly by: Actor;
  readonly event: string;
  readonly at: string;
  readonly reason?: string;
}

/**
 * The status change `task.status → to` (refused with `InvalidTransitionError` if the table of
 * transitions forbids it), guarded by the status it was read with.
 */
export function moveTo(task: Task, input: MoveInput): Partial<Write> {
  const moved = transition(task, input);
  const entry = moved.history.at(-1) as HistoryEntry;
  return { ...set({ status: input.to }), ...append('history', entry), conditions: [{ path: ['status'], equals: task.status }], entry };
}

/** The write as the store's `TaskUpdate`. */
export const toUpdate = (w: Write): TaskUpdate => ({ set: w.set, remove: w.remove, append: w.append, conditions: w.conditions });
