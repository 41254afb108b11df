import { TaskStatusSchema } from '#core/task';
import type { TaskCondition, TaskPath, TaskUpdate } from '#ports/task-store';
import { projectScopeKey } from './task-scope.ts';

/** The expression parts of one UpdateItem for a `TaskUpdate`. */
export interface TaskUpdateExpression {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * Translates a `TaskUpdate` into one UpdateItem: `set` → `SET #p0.#p1[2] = :s0`, `append` →
 * `SET #p = list_append(if_not_exists(#p, :empty), :a0)`, `remove` → `REMOVE`, always
 * `#version = #version + :one`, the byStatus key when the status changes, and the byScope key when
 * the task is given a project (a task never loses its project: removing it is refused). Conditions: the task
 * exists and is live (`liveCondition`), then each `TaskCondition` in order. Placeholders are numbered
 * in order of appearance, so the same update always gives the same input.
 */
export function taskUpdateExpression(update: TaskUpdate, liveCondition: { expression: string; values: Record<string, unknown> }): TaskUpdateExpression {
  const names = new Map<string, string>([['version', '#version']]);
  const values: Record<string, unknown> = {};
  const name = (attribute: string) => {
    if (!names.has(attribute)) names.set(attribute, `#p${names.size - 1}`);
    return names.get(attribute) as string;
  };
  const path = (segments: TaskPath) =>
    segments
      .map((segment, position) => {
        if (typeof segment === 'string') return position === 0 ? name(segment) : `.${name(segment)}`;
        if (!Number.isInteger(segment) || segment < 0 || position === 0) throw new Error(`Task path ${JSON.stringify(segments)}: a list index must be a non-negative integer below an attribute.`);
        return `[${segment}]`;
      })
      .join('');
  const counters = new Map<string, number>();
  const value = (prefix: string, content: unknown) => {
    const count = counters.get(prefix) ?? 0;
    counters.set(prefix, count + 1);
    values[`:${prefix}${count}`] = content;
    return `:${prefix}${count}`;
  };

  const sets = (update.set ?? []).map((change) => `${path(change.path)} = ${value('s', change.value)}`);
  const appends = (update.append ?? []).map((change) => {
    const target = path(change.path);
    values[':empty'] = [];
    return `${target} = list_append(if_not_exists(${target}, :empty), ${value('a', change.items)})`;
  });
  values[':one'] = 1;
  const topLevel = (attribute: string) => update.set?.find((change) => change.path.length === 1 && change.path[0] === attribute);
  const status = topLevel('status');
  if (status) values[':gsi1pk'] = `STATUS#${TaskStatusSchema.parse(status.value)}`;
  const project = topLevel('projectId');
  if (project) {
    if (typeof project.value !== 'string' || project.value === '') throw new Error(`Task projectId must be a non-empty string, not ${JSON.stringify(project.value)}.`);
    values[':gsi4pk'] = projectScopeKey(project.value);
  }
  if (update.remove?.some((removed) => removed[0] === 'projectId')) throw new Error('A task keeps its project: projectId (and its byScope entry) cannot be removed.');
  const setClauses = [...sets, ...appends, '#version = #version + :one', ...(status ? ['gsi1pk = :gsi1pk'] : []), ...(project ? ['gsi4pk = :gsi4pk'] : [])];
  const removes = (update.remove ?? []).map(path);

  Object.assign(values, liveCondition.values);
  const conditions = [liveCondition.expression, ...update.conditions.map((condition) => conditionExpression(condition, path(condition.path), value))];

  return {
    UpdateExpression: `SET ${setClauses.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: Object.fromEntries([...names].map(([attribute, placeholder]) => [placeholder, attribute])),
    ExpressionAttributeValues: values,
  };
}

function conditionExpression(condition: TaskCondition, target: string, value: (prefix: string, content: unknown) => string): string {
  if ('equals' in condition) return `${target} = ${value('c', condition.equals)}`;
  if ('in' in condition) {
    if (condition.in.length === 0) throw new Error(`Task condition on ${JSON.stringify(condition.path)}: \`in\` needs at least one value.`);
    return `${target} IN (${condition.in.map((item) => value('c', item)).join(', ')})`;
  }
  return condition.exists ? `attribute_exists(${target})` : `attribute_not_exists(${target})`;
}
