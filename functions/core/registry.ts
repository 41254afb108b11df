import * as z from 'zod';
import type { ActionDefinition } from './action.ts';
import { ConfigurationError, type FieldError, NotFoundError, ValidationError } from './errors.ts';
import type { TaskType } from './task-type.ts';

/**
 * The registry of actions and task types, built once from explicit lists (no directory scanning).
 * Construction checks names are unique and every task type's actions exist, with messages that
 * say how to fix the problem.
 */
export class Registry {
  private readonly actions = new Map<string, ActionDefinition>();
  private readonly taskTypes = new Map<string, TaskType>();

  constructor(actions: readonly ActionDefinition[], taskTypes: readonly TaskType[]) {
    for (const action of actions) this.addAction(action);
    for (const taskType of taskTypes) this.addTaskType(taskType);
  }

  private addAction(action: ActionDefinition): void {
    if (typeof action?.name !== 'string' || !(action.schema instanceof z.ZodObject)) {
      throw new ConfigurationError(
        'An action in the registry does not export a definition: each functions/actions/<name>/action.ts must export `defineAction({ name, description, schema, ... })` and the registry must import that export.',
      );
    }
    if (this.actions.has(action.name)) {
      throw new ConfigurationError(
        `Two actions are named "${action.name}". Action names must be unique: rename one in its action.ts.`,
      );
    }
    this.actions.set(action.name, action);
  }

  private addTaskType(taskType: TaskType): void {
    if (this.taskTypes.has(taskType.name)) {
      throw new ConfigurationError(`Two task types are named "${taskType.name}". Rename one in functions/task-types.ts.`);
    }
    if (taskType.tokenRequiresAuth && taskType.access === 'public') {
      throw new ConfigurationError(
        `Task type "${taskType.name}" has tokenRequiresAuth but access "public": an anonymous requester could never submit its token. Give it access "authenticated" (or roles), or drop tokenRequiresAuth, in functions/task-types.ts.`,
      );
    }
    for (const name of taskType.actions) {
      if (!this.actions.has(name)) {
        throw new ConfigurationError(
          `Task type "${taskType.name}" lists action "${name}", which is not registered. Add it to functions/actions/registry.ts (known: ${[...this.actions.keys()].join(', ')}).`,
        );
      }
    }
    this.checkActionSettings(taskType);
    this.taskTypes.set(taskType.name, taskType);
  }

  /**
   * A task type's `actionSettings`: each key one of its actions that takes settings, each value what
   * that action's `settingsSchema` accepts (no unknown fields: a misspelt one would silently keep
   * its default). Every problem is listed with its path.
   */
  private checkActionSettings(taskType: TaskType): void {
    const at = `taskTypes.${taskType.name}.actionSettings`;
    const problems: string[] = [];
    for (const action of taskType.actions.map((name) => this.action(name))) {
      if (action.settingsSchema && !action.settingsSchema.safeParse({}).success) {
        throw new ConfigurationError(
          `Action "${action.name}" has a settingsSchema with a field without a default: give every field one (\`.default(...)\`) in its action.ts, so that a task type may set none.`,
        );
      }
    }
    for (const [name, settings] of Object.entries(taskType.actionSettings)) {
      if (!taskType.actions.includes(name)) {
        problems.push(`${at}.${name}: "${name}" is not an action of this task type (its actions: ${taskType.actions.join(', ')})`);
        continue;
      }
      const schema = this.action(name).settingsSchema;
      if (!schema) {
        problems.push(`${at}.${name}: action "${name}" takes no settings (it declares no settingsSchema)`);
        continue;
      }
      const parsed = z.strictObject(schema.shape).safeParse(settings);
      if (!parsed.success) problems.push(...toFieldErrors(parsed.error, `${at}.${name}`).map((error) => `${error.path}: ${error.message}`));
    }
    if (problems.length > 0) {
      throw new ConfigurationError(
        [`Task type "${taskType.name}" has actionSettings its actions do not accept:`, ...problems.map((problem) => `  - ${problem}`), 'Fix them in functions/task-types.ts (or the deployment\'s taskTypes overrides).'].join('\n'),
      );
    }
  }

  listTaskTypes(): TaskType[] {
    return [...this.taskTypes.values()];
  }

  taskType(name: string): TaskType {
    const taskType = this.taskTypes.get(name);
    if (!taskType) throw new NotFoundError(`There is no task type "${name}". GET /v1/task-types lists them.`);
    return taskType;
  }

  action(name: string): ActionDefinition {
    const action = this.actions.get(name);
    if (!action) throw new ConfigurationError(`Action "${name}" is not registered.`);
    return action;
  }

  /** The task type's input: the union of its actions' fields, unknown fields refused. */
  inputSchema(taskType: TaskType): z.ZodObject {
    const shape = Object.assign({}, ...taskType.actions.map((name) => this.action(name).schema.shape));
    return z.strictObject(shape);
  }

  /** Validates request data for a task type; returns each action's own parsed data, in order. */
  parseInput(taskType: TaskType, data: unknown, pathPrefix = 'data'): Record<string, unknown>[] {
    const result = this.inputSchema(taskType).safeParse(data);
    if (!result.success) throw new ValidationError(toFieldErrors(result.error, pathPrefix));
    return taskType.actions.map((name) => this.action(name).schema.parse(result.data) as Record<string, unknown>);
  }
}

/** zod issues → `{path, message}` with dotted paths under `prefix`. */
export function toFieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    return keys.map((path) => ({
      path: [prefix, ...path.map(String)].filter((part) => part !== undefined && part !== '').join('.') || '(body)',
      message: issue.code === 'unrecognized_keys' ? 'Unknown field' : issue.message,
    }));
  });
}
