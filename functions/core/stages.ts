import { ActionContractError, type ActionDefinition, type ActionPorts, type Stage } from './action.ts';
import { HookRun, tokenSchemaOf } from './hook-run.ts';
import type { Registry } from './registry.ts';
import type { ActionRecord, Task } from './task.ts';
import type { TaskType } from './task-type.ts';

export type { Stage } from './action.ts';
export { tokenSchemaOf } from './hook-run.ts';

export interface StageRun {
  /** The task with each action's record updated by its hook (notes, validity, votes, stored data). */
  readonly task: Task;
  /** The error a hook threw, if any; actions after it did not run. */
  readonly error?: unknown;
  /**
   * The project the actions said the task belongs to (`ctx.setProject`), to commit with the run's
   * results as the task's `projectId`; absent when none did.
   */
  readonly projectId?: string;
}

/** What a stage run reads from the registry: the actions, and their settings on the task's type. */
export interface StageRegistry {
  action: Registry['action'];
  taskType(name: string): Pick<TaskType, 'actionSettings'>;
}

/**
 * Runs one stage's hook on every action of the task, in order, with a cache shared by the actions
 * for this run only. Returns the updated task even when a hook throws, so that the checkpoints the
 * earlier actions persisted are saved before the error goes on.
 *
 * preApprove validates the current data afresh: each action starts it "validating" (`valid: null`,
 * no vote) and must end it valid or invalid; an action without a preApprove hook is valid. `undo`
 * runs the actions in reverse order. Each action gets its settings from the task's type
 * (`actionSettings[<action>]`, parsed by its `settingsSchema`).
 */
export async function runStage(
  task: Task,
  stage: Stage,
  registry: StageRegistry,
  ports: ActionPorts,
  at: () => string,
  tokenData: Record<string, unknown> = {},
): Promise<StageRun> {
  const cache = new Map<string, unknown>();
  const records: ActionRecord[] = task.actions.map((record) => ({ ...record }));
  let projectId: string | undefined;
  const reported = () => (projectId === undefined ? {} : { projectId });
  /** The project a hook reported, which must be the one any action before it reported. */
  const noteProject = (run: HookRun, action: ActionDefinition) => {
    if (run.projectId === undefined) return;
    if (projectId !== undefined && projectId !== run.projectId) {
      throw new ActionContractError(`Action "${action.name}" said task ${task.id} belongs to project ${run.projectId}, but an action before it said ${projectId}: a task belongs to one project.`);
    }
    projectId = run.projectId;
  };
  // Compensation reverses the work: the last action's effects first.
  const order = stage === 'undo' ? [...records.entries()].reverse() : [...records.entries()];
  for (const [index, record] of order) {
    const action = registry.action(record.name);
    const hook = action[stage];
    if (!hook) {
      if (stage === 'preApprove') records[index] = { ...record, valid: true, autoApprove: null };
      continue;
    }
    const run = new HookRun(action, record, stage, at, () => registry.taskType(task.type).actionSettings[action.name]);
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
      noteProject(run, action);
    } catch (error) {
      records[index] = run.result();
      return { task: { ...task, actions: records }, error, ...reported() };
    }
    records[index] = run.result();
  }
  return { task: { ...task, actions: records }, ...reported() };
}

/** Auto-approval: the task type allows it, no action vetoed, at least one voted yes. */
export function votesToApprove(task: Task): boolean {
  const votes = task.actions.map((action) => action.autoApprove);
  return !votes.includes(false) && votes.includes(true);
}
