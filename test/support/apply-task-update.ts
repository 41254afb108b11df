import { type Task, TaskSchema, TaskStatusSchema } from '#core/task';
import type { TaskCondition, TaskPath, TaskUpdate, UpdateResult } from '#ports/task-store';

/**
 * What DynamoDB answers for an update expression it cannot apply (overlapping paths, a nested path
 * whose parent is missing, an operand of the wrong type): the same name as the SDK's exception.
 */
export class ValidationException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationException';
  }
}

type Json = unknown;
type Container = Record<string, Json> | Json[];
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const isMap = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const INVALID_PATH = 'The document path provided in the update expression is invalid for update';

/**
 * `update` applied to `task` as DynamoDB applies the UpdateItem the adapter sends: the expression is
 * checked first (overlapping paths are refused), then the conditions (on the task as it is; `equals`
 * and `in` are false for a missing attribute), then `set` (a list index past the end appends),
 * `remove` (list indexes as they were before the update) and `append`, and `version` + 1.
 * `task` undefined (absent or expired): not applied.
 */
export function applyTaskUpdate(task: Task | undefined, update: TaskUpdate): UpdateResult {
  checkExpression(update);
  if (!task) return { applied: false, task: undefined };
  if (!update.conditions.every((condition) => holds(task, condition))) return { applied: false, task: copy(task) };
  const next = copy(task) as unknown as Record<string, Json>;
  for (const change of update.set ?? []) setAt(next, change.path, copy(change.value));
  for (const path of [...(update.remove ?? [])].sort(descending)) removeAt(next, path);
  for (const change of update.append ?? []) {
    const current = valueAt(next, change.path);
    if (current !== undefined && !Array.isArray(current)) throw new ValidationException('An operand in the update expression has an incorrect data type');
    setAt(next, change.path, [...((current ?? []) as Json[]), ...copy(change.items)]);
  }
  if (typeof next.version !== 'number') throw new ValidationException('An operand in the update expression has an incorrect data type');
  next.version += 1;
  return { applied: true, task: TaskSchema.parse(next) };
}

function checkExpression(update: TaskUpdate): void {
  const paths: readonly (readonly (string | number)[])[] = [
    ...(update.set ?? []).map((change) => change.path),
    ...(update.remove ?? []),
    ...(update.append ?? []).map((change) => change.path),
    ['version'],
  ];
  for (const path of paths) {
    if (path.some((segment, position) => typeof segment === 'number' && (position === 0 || !Number.isInteger(segment) || segment < 0))) {
      throw new Error(`Task path ${JSON.stringify(path)}: a list index must be a non-negative integer below an attribute.`);
    }
  }
  paths.forEach((path, index) => {
    for (const other of paths.slice(index + 1)) {
      const shorter = Math.min(path.length, other.length);
      if (path.slice(0, shorter).every((segment, position) => segment === other[position])) {
        throw new ValidationException(`Invalid UpdateExpression: Two document paths overlap with each other: ${JSON.stringify(path)}, ${JSON.stringify(other)}`);
      }
    }
  });
  for (const condition of update.conditions) {
    if ('in' in condition && condition.in.length === 0) throw new Error(`Task condition on ${JSON.stringify(condition.path)}: \`in\` needs at least one value.`);
  }
  const status = update.set?.find((change) => change.path.length === 1 && change.path[0] === 'status');
  if (status) TaskStatusSchema.parse(status.value);
}

function holds(task: Task, condition: TaskCondition): boolean {
  const value = valueAt(task as unknown as Record<string, Json>, condition.path);
  if ('equals' in condition) return value !== undefined && value === condition.equals;
  if ('in' in condition) return (typeof value === 'string' || typeof value === 'number') && condition.in.includes(value);
  return (value !== undefined) === condition.exists;
}

/** The value at `path`, or undefined when it (or a parent) is missing or of another kind. */
function valueAt(root: Record<string, Json>, path: TaskPath | readonly (string | number)[]): Json {
  let current: Json = root;
  for (const segment of path) {
    if (typeof segment === 'number' ? !Array.isArray(current) : !isMap(current)) return undefined;
    current = (current as Record<string | number, Json>)[segment];
    if (current === undefined) return undefined;
  }
  return current;
}

/** The container holding the last segment of `path`: it must exist and be of the right kind. */
function parentOf(root: Record<string, Json>, path: readonly (string | number)[]): Container {
  const parent = path.length === 1 ? root : valueAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (typeof last === 'number' ? !Array.isArray(parent) : !isMap(parent)) throw new ValidationException(`${INVALID_PATH}: ${JSON.stringify(path)}`);
  return parent as Container;
}

function setAt(root: Record<string, Json>, path: readonly (string | number)[], value: Json): void {
  const parent = parentOf(root, path);
  const last = path[path.length - 1] as string | number;
  if (Array.isArray(parent) && typeof last === 'number' && last >= parent.length) parent.push(value);
  else (parent as Record<string | number, Json>)[last] = value;
}

function removeAt(root: Record<string, Json>, path: readonly (string | number)[]): void {
  const parent = parentOf(root, path);
  const last = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
}

/** Later list indexes first, so that each removal uses the index the element had before the update. */
function descending(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let position = 0; position < Math.min(a.length, b.length); position++) {
    const [x, y] = [a[position], b[position]] as [string | number, string | number];
    if (x !== y) return typeof x === 'number' && typeof y === 'number' ? y - x : String(y) < String(x) ? -1 : 1;
  }
  return b.length - a.length;
}
