import type { ActionDefinition, ActionPorts, Stage } from './action.ts';
import { HookRun, tokenSchemaOf } from './hook-run.ts';
import type { Registry } from './registry.ts';
import type { ActionRecord, Task } from './task.ts';

export type { Stage } from './action.ts';
export { tokenSchemaOf } from './hook-run.ts';

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
 *
 * preApprove validates the current data afresh: each action starts it "validating" (`valid: null`,
 * no vote) and must end it valid or invalid; an action without a preApprove hook is valid. `undo`
 * runs the actions in reverse order.
 */
export async function runStage(
  task: Task,
  stage: Stage,
  registry: Pick<Registry, 'action'>,
  ports: ActionPorts,
  at: () => string,
  tokenData: Record<string, unknown> = {},
): Promise<StageRun> {
  const cache = new Map<string, unknown>();
  const records: ActionRecord[] = task.actions.map((record) => ({ ...record }));
  // Compensation reverses the work: the last action's effects first.
  const order = stage === 'undo' ? [...records.entries()].reverse() : [...records.entries()];
  for (const [index, record] of order) {
    const action = registry.action(record.name);
    const hook = action[stage];
    if (!hook) {
      if (stage === 'preApprove') records[index] = { ...record, valid: true, autoApprove: null };
      continue;
    }
    const run = new HookRun(action, record, stage, at);
    try {
      const context = run.context(task, cache, ports);
      if (stage === 'submit') {
        const schema = record.needsToken ? tokenSchemaOf(action, record.tokenSchemaKey) : undefined;
        const parsed = schema ? schema.parse(tokenData) : {};
        await (hook as NonNullable<ActionDefinition['submit']>).call(action, context, parsed);
      } else {
        await (hook as NonNullable<ActionDefinition['preApprove']>).call(action, context);
      }
      run.assertDecided();
    } catch (error) {
      records[index] = run.result();
      return { task: { ...task, actions: records }, error };
    }
    records[index] = run.result();
  }
  return { task: { ...task, actions: records } };
}

/** Auto-approval: the task type allows it, no action vetoed, at least one voted yes. */
export function votesToApprove(task: Task): boolean {
  const votes = task.actions.map((action) => action.autoApprove);
  return !votes.includes(false) && votes.includes(true);
}
