import type * as z from 'zod';
import { configIssueMessage, dotted } from './config-issues.ts';
import { ConfigurationError } from './errors.ts';
import { type TaskTypeOverride, TaskTypeOverrideSchema, TaskTypeOverridesSchema } from './task-type-override-schemas.ts';
import { type TaskType, TaskTypeSchema } from './task-type.ts';

export * from './task-type-override-schemas.ts';

/**
 * Applying a deployment's task type overrides (their schemas and what they may change:
 * task-type-override-schemas.ts): each overridden type merged and parsed again, every problem
 * reported with its path under `taskTypes`.
 */

/** Where problems are reported: under `taskTypes` of the configuration. */
export const OVERRIDES_KEY = 'taskTypes';

type Path = readonly PropertyKey[];
interface Problem {
  readonly path: Path;
  readonly message: string;
}

/** `{...declared, ...override}` without the keys the override sets to null. */
function merged<T extends object>(declared: T | undefined, override: object | undefined): T {
  const result: Record<string, unknown> = { ...declared, ...override };
  for (const [key, value] of Object.entries(override ?? {})) if (value === null) delete result[key];
  return result as T;
}

/** zod issues as problems: one per unknown key, each under `prefix`. */
const problemsOf = (issues: readonly z.core.$ZodIssue[], prefix: Path, relocate: (path: Path) => Path = (path) => path): Problem[] =>
  issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...prefix, ...relocate([...issue.path, key])], message: issue.message }))
      : [{ path: [...prefix, ...relocate(issue.path)], message: issue.message }],
  );

/**
 * What the override names that the type does not declare: actions in `actionSettings`, levels in
 * `approval.levels` (and a level named twice). Read from the raw value, so they are reported even
 * when another field of the same override is wrong.
 */
function referenceProblems(declared: TaskType, raw: unknown, at: Path): Problem[] {
  const problems: Problem[] = [];
  const { actionSettings, approval } = (isObject(raw) ? raw : {}) as { actionSettings?: unknown; approval?: { levels?: unknown } };
  for (const action of isObject(actionSettings) ? Object.keys(actionSettings) : []) {
    if (!declared.actions.includes(action)) problems.push({ path: [...at, 'actionSettings', action], message: `the type has no action "${action}" (its actions: ${declared.actions.join(', ')})` });
  }
  const names = declared.approval.levels.map((declaredLevel) => declaredLevel.name);
  const entries = isObject(approval) && Array.isArray(approval.levels) ? (approval.levels as unknown[]).map((entry) => (isObject(entry) ? entry.name : undefined)) : [];
  entries.forEach((name, entry) => {
    if (typeof name !== 'string') return;
    const earlier = entries.indexOf(name);
    if (!names.includes(name)) problems.push({ path: [...at, 'approval', 'levels', entry, 'name'], message: `the type declares no level "${name}" (its levels: ${names.join(', ')})` });
    else if (earlier !== entry) problems.push({ path: [...at, 'approval', 'levels', entry, 'name'], message: `changes level "${name}" again (levels.${earlier} does): one entry per level` });
  });
  return problems;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The declared type with its override applied, unchecked; `levelEntry` maps a policy level to the override entry that changed it. */
function overridden(declared: TaskType, override: TaskTypeOverride): { input: object; levelEntry: Map<number, number> } {
  const { limits, emails, actionSettings, approval, ...settings } = override;
  const input: Record<string, unknown> = merged(declared, settings);
  if (limits) input.limits = merged(declared.limits, limits);
  if (emails) input.emails = { ...declared.emails, ...Object.fromEntries(Object.entries(emails).map(([name, fields]) => [name, merged(declared.emails[name as keyof typeof emails], fields)])) };
  if (actionSettings) input.actionSettings = { ...declared.actionSettings, ...Object.fromEntries(Object.entries(actionSettings).map(([action, values]) => [action, merged(declared.actionSettings[action], values)])) };
  const levelEntry = new Map<number, number>();
  if (approval?.replaceLevels) input.approval = { levels: approval.replaceLevels };
  if (approval?.levels) {
    const levels = [...declared.approval.levels];
    approval.levels.forEach(({ name, ...fields }, entry) => {
      const index = levels.findIndex((declaredLevel) => declaredLevel.name === name);
      // An unknown or repeated name is a reference problem, reported on its own.
      if (index < 0 || levelEntry.has(index)) return;
      levels[index] = merged(levels[index], fields);
      levelEntry.set(index, entry);
    });
    input.approval = { levels };
  }
  return { input, levelEntry };
}

/** Where a problem of the re-parsed type belongs in the override: the entry that changed the level. */
function relocated(override: TaskTypeOverride, levelEntry: ReadonlyMap<number, number>) {
  return (path: Path): Path => {
    if (path[0] !== 'approval' || path[1] !== 'levels') return path;
    if (override.approval?.replaceLevels) return ['approval', 'replaceLevels', ...path.slice(2)];
    const entry = typeof path[2] === 'number' ? levelEntry.get(path[2]) : undefined;
    return entry === undefined ? path.slice(0, 2) : ['approval', 'levels', entry, ...path.slice(3)];
  };
}

/** The task types with the overrides applied, and every problem found (none when they apply). */
export function resolveTaskTypeOverrides(taskTypes: readonly TaskType[], overrides: unknown): { taskTypes: TaskType[]; problems: string[] } {
  const declared = new Map(taskTypes.map((taskType) => [taskType.name, taskType]));
  const problems: Problem[] = [];
  const valid = new Map<string, TaskTypeOverride>();
  if (overrides === undefined || overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    const parsed = TaskTypeOverridesSchema.safeParse(overrides ?? {}, { error: configIssueMessage });
    if (!parsed.success) problems.push(...problemsOf(parsed.error.issues, [OVERRIDES_KEY]));
  } else {
    // Type by type, so that one type's mistake does not hide another's.
    for (const [name, raw] of Object.entries(overrides)) {
      const taskType = declared.get(name);
      if (!taskType) {
        problems.push({ path: [OVERRIDES_KEY, name], message: `no task type "${name}" is declared (declared: ${[...declared.keys()].join(', ')})` });
        continue;
      }
      const parsed = TaskTypeOverrideSchema.safeParse(raw, { error: configIssueMessage });
      if (parsed.success) valid.set(name, parsed.data);
      else problems.push(...problemsOf(parsed.error.issues, [OVERRIDES_KEY, name]));
      problems.push(...referenceProblems(taskType, raw, [OVERRIDES_KEY, name]));
    }
  }
  const result = taskTypes.map((taskType) => {
    const override = valid.get(taskType.name);
    if (!override) return taskType;
    const at = [OVERRIDES_KEY, taskType.name];
    const { input, levelEntry } = overridden(taskType, override);
    const reparsed = TaskTypeSchema.safeParse(input, { error: configIssueMessage });
    if (!reparsed.success) {
      problems.push(...problemsOf(reparsed.error.issues, at, relocated(override, levelEntry)));
      return taskType;
    }
    if (reparsed.data.tokenRequiresAuth && reparsed.data.access === 'public') {
      problems.push({ path: [...at, 'tokenRequiresAuth'], message: 'cannot be true: the type\'s access is "public", so an anonymous requester could never submit its token' });
    }
    return reparsed.data;
  });
  const lines = problems.map((problem) => `${dotted(problem.path)}: ${problem.message}`);
  return { taskTypes: result, problems: [...new Set(lines)] };
}

/**
 * The declared task types with a deployment's overrides applied; each overridden type is parsed
 * again with `TaskTypeSchema`, so its refinements (the approval policy's) run on the result.
 * @throws ConfigurationError listing every problem with its full path (`taskTypes.<name>.<field>`)
 */
export function applyTaskTypeOverrides(taskTypes: readonly TaskType[], overrides: unknown): TaskType[] {
  const { taskTypes: result, problems } = resolveTaskTypeOverrides(taskTypes, overrides);
  if (problems.length > 0) {
    throw new ConfigurationError(
      [`Invalid task type overrides (${OVERRIDES_KEY} of the Assent configuration):`, ...problems.map((problem) => `  - ${problem}`), 'See docs/deploying.md, "Task type overrides".'].join('\n'),
    );
  }
  return result;
}
