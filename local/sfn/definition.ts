import type { JsonObject, JsonValue } from './records.ts';

/** The part of an Amazon States Language state the runner looks at. */
export interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: JsonValue;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Branches?: AslMachine[];
  Iterator?: AslMachine;
  ItemProcessor?: AslMachine;
  [field: string]: unknown;
}

/** A (sub) state machine: top level, a Parallel branch or a Map iterator. */
export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  [field: string]: unknown;
}

/** How a Task state's `Resource` is run locally. */
export type TaskKind = 'invoke' | 'waitForTaskToken' | 'function' | 'unsupported';

/** A Task state, as the local overrides need it. */
export interface TaskStateInfo {
  readonly name: string;
  readonly kind: TaskKind;
  readonly resource: string;
  readonly timeoutSeconds?: number;
  readonly timeoutSecondsPath?: string;
}

/** What the Step Functions context object holds at `$$.Task.Token` until a real token is minted. */
export const TASK_TOKEN_PLACEHOLDER = '__sfn_local_task_token_placeholder__';

/**
 * Hidden Parameters key carrying a `TimeoutSecondsPath` value through to the task input.
 * The library evaluates `TimeoutSecondsPath` against the input AFTER `Parameters` (AWS uses the state
 * input), so `"$.approvalTimeoutSeconds"` would not resolve; the runner copies the value into the
 * effective input under this key, points `TimeoutSecondsPath` at it, and strips it before invoking.
 */
export const TIMEOUT_KEY = '__sfnLocalTimeoutSeconds';

/** The task timeout the library applies when a Task state sets none. */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the minimal shape of a parsed definition (the library validates the rest). */
export function asMachine(definition: object): AslMachine {
  const candidate = definition as Partial<AslMachine>;
  if (typeof candidate.StartAt !== 'string' || !isObject(candidate.States)) {
    throw new Error('The state machine definition needs StartAt and States');
  }
  return definition as AslMachine;
}

/**
 * A deep copy of a JSON-compatible value. Not `structuredClone`: under Jest's VM contexts its objects
 * come from another realm, and the library's plain-object test (`getPrototypeOf(v) === Object.prototype`)
 * then silently skips `Parameters` templates.
 */
export const cloneJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function taskKind(resource: string): TaskKind {
  if (resource === LAMBDA_INVOKE) return 'invoke';
  if (resource === LAMBDA_WAIT) return 'waitForTaskToken';
  if (LAMBDA_FUNCTION_ARN.test(resource)) return 'function';
  return 'unsupported';
}

function nestedMachines(state: AslState): AslMachine[] {
  return [...(state.Branches ?? []), ...(state.Iterator ? [state.Iterator] : []), ...(state.ItemProcessor ? [state.ItemProcessor] : [])];
}

/** Every Task state of a machine, including those of Parallel branches and Map iterators, by name. */
export function taskStates(machine: AslMachine): Map<string, TaskStateInfo> {
  const found = new Map<string, TaskStateInfo>();
  for (const [name, state] of Object.entries(machine.States)) {
    if (state.Type === 'Task' && typeof state.Resource === 'string') {
      found.set(name, {
        name,
        kind: taskKind(state.Resource),
        resource: state.Resource,
        timeoutSeconds: state.TimeoutSeconds,
        timeoutSecondsPath: state.TimeoutSecondsPath,
      });
    }
    for (const nested of nestedMachines(state)) {
      for (const [nestedName, info] of taskStates(nested)) found.set(nestedName, info);
    }
  }
  return found;
}

function routeTimeoutPath(state: AslState): void {
  if (typeof state.TimeoutSecondsPath !== 'string' || !isObject(state.Parameters)) return;
  state.Parameters = { ...(state.Parameters as JsonObject), [`${TIMEOUT_KEY}.$`]: state.TimeoutSecondsPath };
  state.TimeoutSecondsPath = `$.${TIMEOUT_KEY}`;
}

function routeTimeoutPaths(machine: AslMachine): void {
  for (const state of Object.values(machine.States)) {
    routeTimeoutPath(state);
    for (const nested of nestedMachines(state)) routeTimeoutPaths(nested);
  }
}

/** How to adapt a definition for one library run. */
export interface LibraryDefinitionOptions {
  /** Start here instead of the definition's StartAt (resuming an execution after a restart). */
  readonly startAt?: string;
  /** Fixed `TimeoutSeconds` for these states (the remaining time of a resumed wait). */
  readonly fixedTimeouts?: Readonly<Record<string, number>>;
  /** Replaces the top-level `TimeoutSeconds` (the remaining execution time after a restart). */
  readonly executionTimeoutSeconds?: number;
}

/** A copy of the definition as the library must run it: timeout paths routed through Parameters, optionally resumed. */
export function libraryDefinition(machine: AslMachine, options: LibraryDefinitionOptions = {}): AslMachine {
  const copy = cloneJson(machine);
  if (options.startAt !== undefined) copy.StartAt = options.startAt;
  if (options.executionTimeoutSeconds !== undefined) copy.TimeoutSeconds = options.executionTimeoutSeconds;
  for (const [name, seconds] of Object.entries(options.fixedTimeouts ?? {})) {
    const state = copy.States[name];
    if (!state) continue;
    delete state.TimeoutSecondsPath;
    state.TimeoutSeconds = seconds;
  }
  routeTimeoutPaths(copy);
  return copy;
}

/** Reads a simple reference path (`$`, `$.a.b`, `$['a'].b`) from a JSON value; undefined when absent. */
export function readPath(value: JsonValue, path: string): JsonValue | undefined {
  if (!path.startsWith('$')) return undefined;
  const keys = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[['"]([^'"]+)['"]\]|\[(\d+)\]/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  let current: JsonValue | undefined = value;
  for (const key of keys) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObject(current)) current = (current as JsonObject)[key];
    else return undefined;
  }
  return current;
}

/**
 * The timeout the library will apply to this Task state for this (post-Parameters) input, or
 * undefined when it cannot be resolved (the library then fails the state with States.Runtime).
 */
export function resolveTimeoutSeconds(info: TaskStateInfo, input: JsonValue): number | undefined {
  if (info.timeoutSeconds) return info.timeoutSeconds;
  if (info.timeoutSecondsPath === undefined) return DEFAULT_TASK_TIMEOUT_SECONDS;
  const seconds = readPath(input, info.timeoutSecondsPath);
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 1 ? seconds : undefined;
}

/** The task input without the runner's hidden keys, i.e. what AWS would have computed from Parameters. */
export function withoutInternalKeys(input: JsonValue): JsonValue {
  if (!isObject(input) || !(TIMEOUT_KEY in input)) return input;
  const { [TIMEOUT_KEY]: _timeout, ...rest } = input as JsonObject;
  return rest;
}

/** `resourceType` and `resource` as history events name them (`lambda`, `invoke.waitForTaskToken`). */
export function resourceDetails(info: TaskStateInfo): { resourceType: string; resource: string } {
  const integration = /^arn:aws:states:::([^:]+):(.+)$/.exec(info.resource);
  if (integration) return { resourceType: integration[1] ?? '', resource: integration[2] ?? '' };
  return { resourceType: info.kind === 'function' ? 'lambda' : 'unknown', resource: info.resource };
}
