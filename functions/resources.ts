import * as z from 'zod';
import type { ActionDefinition, ActionPorts } from '#core/action';
import { ConfigurationError } from '#core/errors';
import { type AccessSchema, defineTaskType, type TaskType } from '#core/task-type';
import type { TodoStore } from '#ports/todo-store';
import { archiveCompleted } from './actions/archive-completed/action.ts';
import { markDone } from './actions/mark-done/action.ts';

declare module '#core/action' {
  /** The app's own ports, beside the core ones: the example resource's store. */
  interface ActionPorts {
    readonly todos: TodoStore;
  }
}

/**
 * Resources and their actions, DJ Actions style: each action is one folder under
 * functions/actions/ and ONE line below. Calling `POST /v1/<resource>/{id}/actions/<action>`
 * (instance) or `POST /v1/<resource>/actions/<action>` (collection) creates a task of type
 * `<resource>.<action>` and runs it through the same engine, so it is tracked, approved and
 * archived like any other task.
 */
export interface ResourceDefinition {
  readonly name: string;
  readonly description: string;
  /** Whether an instance exists (instance actions answer 404 otherwise). */
  readonly exists: (ports: ActionPorts, id: string) => Promise<boolean>;
}

export interface ResourceActionEntry {
  readonly resource: string;
  readonly action: ActionDefinition;
  readonly scope: 'instance' | 'collection';
  readonly stability: 'alpha' | 'beta' | 'stable';
  /** `auto`: runs at once when the action votes yes; `admin`: an admin approves first. */
  readonly approval: 'auto' | 'admin';
  /** @default 'authenticated' */
  readonly access?: z.infer<typeof AccessSchema>;
}

export class ResourceRegistry {
  private readonly byName = new Map<string, ResourceDefinition>();
  private readonly entries: ResourceActionEntry[] = [];

  constructor(resources: readonly ResourceDefinition[], entries: readonly ResourceActionEntry[]) {
    for (const resource of resources) {
      if (this.byName.has(resource.name)) throw new ConfigurationError(`Two resources are named "${resource.name}". Rename one in functions/resources.ts.`);
      this.byName.set(resource.name, resource);
    }
    for (const entry of entries) this.add(entry);
  }

  private add(entry: ResourceActionEntry): void {
    const where = `functions/resources.ts (resource "${entry.resource}")`;
    if (!this.byName.has(entry.resource)) throw new ConfigurationError(`An action in ${where} names a resource that is not declared. Add it to the resources list.`);
    if (typeof entry.action?.name !== 'string' || !(entry.action.schema instanceof z.ZodObject)) {
      throw new ConfigurationError(
        `An action of ${where} is not a defineAction export: functions/actions/<name>/action.ts must export defineAction({ name, description, schema, ... }) and the registry line must import it.`,
      );
    }
    if (this.entries.some((other) => other.resource === entry.resource && other.action.name === entry.action.name)) {
      throw new ConfigurationError(`Resource "${entry.resource}" lists action "${entry.action.name}" twice. Each action is one line.`);
    }
    if (entry.scope === 'instance' && !('id' in entry.action.schema.shape)) {
      throw new ConfigurationError(`Instance action "${entry.action.name}" of ${where} needs an "id" field in its schema: the id in the path is passed to it.`);
    }
    this.entries.push(entry);
  }

  resources(): ResourceDefinition[] {
    return [...this.byName.values()];
  }

  resource(name: string): ResourceDefinition | undefined {
    return this.byName.get(name);
  }

  actionsOf(resource: string): ResourceActionEntry[] {
    return this.entries.filter((entry) => entry.resource === resource);
  }

  find(resource: string, action: string): ResourceActionEntry | undefined {
    return this.entries.find((entry) => entry.resource === resource && entry.action.name === action);
  }

  actions(): ActionDefinition[] {
    return this.entries.map((entry) => entry.action);
  }

  /** One task type per resource action: `<resource>.<action>`. */
  taskTypes(): TaskType[] {
    return this.entries.map((entry) =>
      defineTaskType({
        name: taskTypeName(entry),
        description: `${entry.action.description} (${entry.scope} action of ${entry.resource}, ${entry.stability})`,
        actions: [entry.action.name],
        access: entry.access ?? 'authenticated',
        autoApprove: entry.approval === 'auto',
        duplicatePolicy: 'allow',
      }),
    );
  }
}

export const taskTypeName = (entry: Pick<ResourceActionEntry, 'resource' | 'action'>) => `${entry.resource}.${entry.action.name}`;

/** The path an action is called on. */
export const actionPath = (entry: ResourceActionEntry) =>
  entry.scope === 'instance' ? `/v1/${entry.resource}/{id}/actions/${entry.action.name}` : `/v1/${entry.resource}/actions/${entry.action.name}`;

export const resourceRegistry = new ResourceRegistry(
  [{ name: 'todos', description: 'Things to do: the example resource.', exists: async (ports, id) => (await ports.todos.get(id)) !== undefined }],
  [
    { resource: 'todos', action: markDone, scope: 'instance', stability: 'stable', approval: 'auto' },
    { resource: 'todos', action: archiveCompleted, scope: 'collection', stability: 'beta', approval: 'admin' },
  ],
);
