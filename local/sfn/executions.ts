import { randomUUID } from 'node:crypto';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  type AslMachine,
  libraryDefinition,
  resolveTimeoutSeconds,
  resourceDetails,
  TASK_TOKEN_PLACEHOLDER,
  type TaskStateInfo,
  taskStates,
  withoutInternalKeys,
} from './definition.ts';
import {
  DetachedRunError,
  executionDoesNotExist,
  invalidArn,
  invalidToken,
  lambdaFailure,
  RunnerClosedError,
  SfnApiError,
  TaskFailureError,
  taskTimedOut,
} from './errors.ts';
import { appendEvent, causeText, errorDetails, jsonText, payload } from './history.ts';
import type { ExecutionRecord, ExecutionStatus, JsonObject, JsonValue, TaskTokenRecord, TaskTokenStatus } from './records.ts';
import type { ExecutionStore } from './store.ts';
import { mintTaskToken, replacePlaceholder } from './tokens.ts';

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LibraryRun = ReturnType<StateMachine['run']>;
type LibraryEvent = LibraryRun['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;
type EventOf<T extends LibraryEvent['type']> = Extract<LibraryEvent, { type: T }>;

/** The error a SendTaskFailure without `error` raises in the state machine. */
export const DEFAULT_TASK_FAILURE_ERROR = 'States.TaskFailed';

const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const MAX_NAME_LENGTH = 80;

/** AWS's execution name rule: 1-80 characters, no whitespace, brackets, wildcards, listed specials or control characters. */
function isValidExecutionName(name: string): boolean {
  const hasControl = [...name].some((char) => {
    const code = char.charCodeAt(0);
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });
  return name.length >= 1 && name.length <= MAX_NAME_LENGTH && !NAME_FORBIDDEN.test(name) && !hasControl;
}
/** Longest timeout a Node timer supports (2^31-1 ms, ~24.8 days); the library's longer timers fire immediately. */
const MAX_TIMER_SECONDS = Math.floor(2 ** 31 / 1000) - 1;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:([^:]+)$/;

/** What the execution manager needs. */
export interface ExecutionManagerOptions {
  readonly definition: AslMachine;
  readonly stateMachineArn: string;
  readonly invokeLambda: (functionName: string, payload: unknown) => Promise<unknown>;
  readonly store: ExecutionStore;
  readonly log: (line: string) => void;
}

/** Parameters of StartExecution. */
export interface StartRequest {
  readonly name?: string;
  readonly input?: string;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

/** A task token with its execution and, while it can still be answered in this process, its outcome. */
interface TokenEntry {
  readonly record: ExecutionRecord;
  readonly task: TaskTokenRecord;
  readonly outcome?: Deferred<JsonValue>;
}

/** One library run of an execution (a fresh start, or a resumption after a restart). */
interface LiveRun {
  readonly record: ExecutionRecord;
  readonly tasks: Map<string, TaskStateInfo>;
  /** The persisted wait to pick up again instead of minting a token and invoking the Lambda. */
  resumeTask?: TaskTokenRecord;
  /** The library re-announces the resumed state and execution start: already in the history. */
  skipEnteredState?: string;
  skipExecutionStarted: boolean;
  /** Stopped, finished or shut down: events and overrides of this run no longer count. */
  detached: boolean;
  abort: () => void;
  finished: Promise<void>;
}

/** How to launch a library run. */
interface LaunchPlan {
  readonly input: JsonValue;
  readonly resumed: boolean;
  readonly startAt?: string;
  readonly resumeTask?: TaskTokenRecord;
  readonly fixedTimeouts?: Record<string, number>;
  readonly executionTimeoutSeconds?: number;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Resolves after the current macrotask: by then the event consumer has drained every queued library event. */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A JSON-clean copy of whatever a handler returned (undefined becomes null, like an empty Lambda response). */
const toJson = (value: unknown): JsonValue => (value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue));

/** What the `lambda:invoke` integration returns for a successful invocation. */
const lambdaInvokeOutput = (result: JsonValue): JsonObject => ({ ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 });

function parseJson(text: string, errorCode: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new SfnApiError(errorCode, `Invalid ${what}: ${text.slice(0, 80)}`);
  }
}

/** The function and payload a Task state invokes. */
function lambdaRequest(info: TaskStateInfo, parameters: JsonValue): { functionName: string; payload: JsonValue } {
  if (info.kind === 'function') return { functionName: info.resource, payload: parameters };
  if (info.kind === 'unsupported') throw new TaskFailureError('States.Runtime', `The local runner cannot run Resource ${info.resource}`);
  const params = parameters as JsonObject | null;
  if (typeof params?.FunctionName !== 'string')
    throw new TaskFailureError('States.Runtime', `${info.name}: Parameters.FunctionName is required`);
  return { functionName: params.FunctionName, payload: params.Payload ?? {} };
}

const regionOf = (arn: string): string => arn.split(':')[3] ?? 'us-east-1';

/**
 * Runs executions of one state machine with `aws-local-stepfunctions`, keeps their records and
 * task tokens, persists them through the store and resumes running ones after a restart.
 */
export class ExecutionManager {
  private readonly definition: AslMachine;
  private readonly stateMachineArn: string;
  private readonly invokeLambda: ExecutionManagerOptions['invokeLambda'];
  private readonly store: ExecutionStore;
  private readonly writeLog: (line: string) => void;
  private readonly machine: StateMachine;
  private readonly tasks: Map<string, TaskStateInfo>;
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly runs = new Map<string, LiveRun>();
  private readonly tokens = new Map<string, TokenEntry>();

  constructor(options: ExecutionManagerOptions) {
    this.definition = options.definition;
    this.stateMachineArn = options.stateMachineArn;
    this.invokeLambda = options.invokeLambda;
    this.store = options.store;
    this.writeLog = options.log;
    const prepared = libraryDefinition(this.definition);
    this.machine = new StateMachine(prepared as unknown as StateMachineDefinition);
    this.tasks = taskStates(prepared);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Loads persisted executions and indexes their task tokens (waiting ones can be answered at once). */
  async restore(): Promise<void> {
    for (const record of await this.store.load(this.stateMachineArn)) {
      this.records.set(record.name, record);
      for (const task of record.tasks) {
        const answerable = task.status === 'WAITING' && record.status === 'RUNNING';
        this.tokens.set(task.token, { record, task, outcome: answerable ? deferred<JsonValue>() : undefined });
      }
    }
  }

  /** Resumes every execution that was RUNNING when the previous runner stopped. */
  resumeRunning(): void {
    for (const record of this.records.values()) {
      if (record.status === 'RUNNING' && !this.runs.has(record.name)) this.resume(record);
    }
  }

  /** Stops all runs without changing their persisted state (they resume on the next start), then flushes. */
  async close(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const run of runs) this.detach(run);
    for (const entry of this.tokens.values()) entry.outcome?.reject(new RunnerClosedError());
    await Promise.all(runs.map((run) => run.finished));
    await this.store.flush();
  }

  // ---------------------------------------------------------------- API operations

  /** StartExecution: idempotent for a RUNNING execution with the same name and input, else ExecutionAlreadyExists. */
  async start(request: StartRequest): Promise<ExecutionRecord> {
    const name = request.name ?? randomUUID();
    if (!isValidExecutionName(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    const parsedInput = parseJson(input, 'InvalidExecutionInput', 'execution input');
    const existing = this.records.get(name);
    if (existing) return this.startAgain(existing, input);
    const record = this.newRecord(name, input);
    this.records.set(name, record);
    await this.store.save(record);
    this.launch(record, { input: parsedInput, resumed: false });
    return record;
  }

  /** DescribeExecution / GetExecutionHistory: the record of an execution ARN. */
  describe(executionArn: unknown): ExecutionRecord {
    if (typeof executionArn !== 'string') throw invalidArn(executionArn);
    const match = EXECUTION_ARN.exec(executionArn);
    if (!match) throw invalidArn(executionArn);
    const record = this.records.get(match[1] ?? '');
    if (!record || record.executionArn !== executionArn) throw executionDoesNotExist(executionArn);
    return record;
  }

  /** ListExecutions: newest first, optionally of one status. */
  list(status?: ExecutionStatus): ExecutionRecord[] {
    return [...this.records.values()]
      .filter((record) => status === undefined || record.status === status)
      .sort((a, b) => b.startDate - a.startDate);
  }

  /*
   * The three operations that change an execution on request resolve once the change is on disk,
   * as Step Functions' answer means it is durable: a runner killed right after answering still knows
   * of it when it starts again (a resumed wait whose token was answered runs its state again).
   */

  /** StopExecution: aborts a running execution (its pending wait can no longer be answered). */
  async stop(executionArn: unknown, error?: string, cause?: string): Promise<ExecutionRecord> {
    const record = this.describe(executionArn);
    if (record.status !== 'RUNNING') return record;
    const run = this.runs.get(record.name);
    if (run) this.detach(run);
    record.error = error;
    record.cause = cause;
    await this.finish(record, 'ABORTED', 'ExecutionAborted', errorDetails(error, cause));
    return record;
  }

  /** SendTaskSuccess: the waiting state succeeds with `output` (a JSON string). */
  async sendTaskSuccess(token: string, output: string): Promise<void> {
    const entry = this.waitingEntry(token);
    const result = parseJson(output, 'InvalidOutput', 'output');
    this.log(entry.record, entry.task.stateName, 'task token answered: success');
    await this.settleTask(entry, 'SUCCEEDED', { output: result });
  }

  /** SendTaskFailure: the waiting state fails with `error` (default States.TaskFailed) and `cause`. */
  async sendTaskFailure(token: string, error?: string, cause?: string): Promise<void> {
    const entry = this.waitingEntry(token);
    const failure = new TaskFailureError(error ?? DEFAULT_TASK_FAILURE_ERROR, cause ?? '');
    this.log(entry.record, entry.task.stateName, `task token answered: failure ${failure.name}`);
    await this.settleTask(entry, 'FAILED', { error: failure });
  }

  /** SendTaskHeartbeat: only checks the token (heartbeat timeouts are not enforced). */
  sendTaskHeartbeat(token: string): void {
    this.waitingEntry(token);
  }

  // ---------------------------------------------------------------- runs

  private newRecord(name: string, input: string): ExecutionRecord {
    return {
      version: 1,
      executionArn: `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      stateMachineArn: this.stateMachineArn,
      name,
      input,
      status: 'RUNNING',
      startDate: Date.now(),
      tasks: [],
      history: [],
    };
  }

  private startAgain(existing: ExecutionRecord, input: string): ExecutionRecord {
    if (existing.status === 'RUNNING' && existing.input === input) return existing;
    throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
  }

  private resume(record: ExecutionRecord): void {
    const now = Date.now();
    const state = record.currentState;
    if (state && !(state.name in this.definition.States)) {
      this.fail(record, 'States.Runtime', `Cannot resume: state ${state.name} is no longer in the definition`);
      return;
    }
    const waiting = state ? record.tasks.find((task) => task.status === 'WAITING' && task.stateName === state.name) : undefined;
    for (const task of record.tasks) {
      if (task.status === 'WAITING' && task !== waiting) void this.settleTask(this.entryOf(task), 'CLOSED', { error: new DetachedRunError() });
    }
    const remainingSeconds = (deadline: number): number => Math.max(1, Math.ceil((deadline - now) / 1000));
    const executionTimeout = this.definition.TimeoutSeconds;
    this.log(record, state?.name, waiting ? 'resumed: waiting for task token' : 'resumed');
    this.launch(record, {
      input: state ? state.input : parseJson(record.input, 'InvalidExecutionInput', 'execution input'),
      resumed: true,
      startAt: state?.name,
      resumeTask: waiting,
      fixedTimeouts: waiting ? { [waiting.stateName]: remainingSeconds(waiting.deadline) } : undefined,
      executionTimeoutSeconds: executionTimeout === undefined ? undefined : remainingSeconds(record.startDate + executionTimeout * 1000),
    });
  }

  private launch(record: ExecutionRecord, plan: LaunchPlan): void {
    let machine = this.machine;
    let tasks = this.tasks;
    if (plan.resumed) {
      try {
        const definition = libraryDefinition(this.definition, plan);
        // Validated at startup; a copy starting mid-way has "unreachable" states the validator rejects.
        machine = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
        tasks = taskStates(definition);
      } catch (error) {
        this.fail(record, 'States.Runtime', causeText(error));
        return;
      }
    }
    const run: LiveRun = {
      record,
      tasks,
      resumeTask: plan.resumeTask,
      skipEnteredState: plan.resumed ? plan.startAt : undefined,
      skipExecutionStarted: plan.resumed && record.history.some((event) => event.type === 'ExecutionStarted'),
      detached: false,
      abort: () => undefined,
      finished: Promise.resolve(),
    };
    const execution = machine.run(plan.input, {
      overrides: { taskResourceLocalHandlers: this.handlersFor(run) },
      noThrowOnAbort: true,
      context: this.contextFor(record),
    });
    execution.result.catch(() => undefined); // the outcome is read from the event log
    run.abort = execution.abort;
    run.finished = this.consume(run, execution.eventLogs);
    this.runs.set(record.name, run);
  }

  private contextFor(record: ExecutionRecord): JsonObject {
    const machineName = this.stateMachineArn.split(':').at(-1) ?? '';
    return {
      Execution: { Id: record.executionArn, Name: record.name, StartTime: new Date(record.startDate).toISOString() },
      StateMachine: { Id: this.stateMachineArn, Name: machineName },
      Task: { Token: TASK_TOKEN_PLACEHOLDER },
    };
  }

  private detach(run: LiveRun): void {
    run.detached = true;
    run.abort();
  }

  private assertLive(run: LiveRun): void {
    if (run.detached) throw new DetachedRunError();
  }

  // ---------------------------------------------------------------- Task state overrides

  private handlersFor(run: LiveRun): LocalHandlers {
    const handlers: LocalHandlers = {};
    for (const info of run.tasks.values()) {
      handlers[info.name] = (input) => this.runTask(run, info, input as JsonValue) as ReturnType<LocalHandlers[string]>;
    }
    return handlers;
  }

  /**
   * The override of one Task state. When the timeout cannot be resolved, the library fails the state
   * with States.Runtime right after calling this: nothing is invoked then.
   */
  private runTask(run: LiveRun, info: TaskStateInfo, input: JsonValue): Promise<JsonValue> {
    const timeoutSeconds = resolveTimeoutSeconds(info, input);
    if (timeoutSeconds === undefined) return new Promise<JsonValue>(() => undefined);
    if (timeoutSeconds > MAX_TIMER_SECONDS) {
      this.log(run.record, info.name, `timeout ${timeoutSeconds}s exceeds Node's timer limit: the library times out at once`);
    }
    const task =
      info.kind === 'waitForTaskToken'
        ? this.waitTask(run, info, input, timeoutSeconds)
        : this.invokeTask(run, info, input, timeoutSeconds);
    task.catch(() => undefined); // the library may have settled the state already (timeout, abort)
    return task;
  }

  private async invokeTask(run: LiveRun, info: TaskStateInfo, input: JsonValue, timeoutSeconds: number): Promise<JsonValue> {
    await nextMacrotask();
    this.assertLive(run);
    const parameters = withoutInternalKeys(input);
    this.taskStarted(run, info, parameters, timeoutSeconds);
    const { functionName, payload: lambdaPayload } = lambdaRequest(info, parameters);
    const result = await this.callLambda(functionName, lambdaPayload);
    const output = info.kind === 'function' ? result : lambdaInvokeOutput(result);
    this.taskSucceeded(run, info, output);
    return output;
  }

  private async waitTask(run: LiveRun, info: TaskStateInfo, input: JsonValue, timeoutSeconds: number): Promise<JsonValue> {
    await nextMacrotask();
    this.assertLive(run);
    const parameters = withoutInternalKeys(input);
    const resumed = this.takeResumeTask(run, info.name);
    const entry = resumed ? this.entryOf(resumed) : this.openTask(run.record, info.name, timeoutSeconds);
    if (!resumed) this.taskStarted(run, info, parameters, timeoutSeconds);
    await this.store.save(run.record); // the token is durable before anyone can receive it
    this.assertLive(run);
    if (!entry.task.lambdaInvoked) await this.deliverToken(run, info, entry, parameters);
    if (!entry.outcome) throw new DetachedRunError();
    const output = await entry.outcome.promise;
    this.taskSucceeded(run, info, output);
    return output;
  }

  /** Invokes the Lambda with the token in its payload; a throw fails the state (the token is then closed). */
  private async deliverToken(run: LiveRun, info: TaskStateInfo, entry: TokenEntry, parameters: JsonValue): Promise<void> {
    let response: JsonObject;
    try {
      const request = lambdaRequest(info, replacePlaceholder(parameters, TASK_TOKEN_PLACEHOLDER, entry.task.token));
      response = lambdaInvokeOutput(await this.callLambda(request.functionName, request.payload));
    } catch (error) {
      if (!run.detached && entry.task.status === 'WAITING') void this.settleTask(entry, 'FAILED', { error: error as Error });
      throw error;
    }
    this.assertLive(run);
    entry.task.lambdaInvoked = true;
    appendEvent(run.record, 'TaskSubmitted', { ...resourceDetails(info), ...payload('output', response) });
    void this.store.save(run.record);
    if (entry.task.status === 'WAITING') this.log(run.record, info.name, 'waiting for task token');
  }

  private takeResumeTask(run: LiveRun, stateName: string): TaskTokenRecord | undefined {
    const task = run.resumeTask;
    if (task?.stateName !== stateName) return undefined;
    run.resumeTask = undefined;
    return task;
  }

  private async callLambda(functionName: string, lambdaPayload: JsonValue): Promise<JsonValue> {
    try {
      return toJson(await this.invokeLambda(functionName, lambdaPayload));
    } catch (error) {
      throw lambdaFailure(error);
    }
  }

  private taskStarted(run: LiveRun, info: TaskStateInfo, parameters: JsonValue, timeoutSeconds: number): void {
    const resource = resourceDetails(info);
    const region = regionOf(this.stateMachineArn);
    appendEvent(run.record, 'TaskScheduled', { ...resource, region, parameters: jsonText(parameters), timeoutInSeconds: timeoutSeconds });
    appendEvent(run.record, 'TaskStarted', resource);
    void this.store.save(run.record);
  }

  private taskSucceeded(run: LiveRun, info: TaskStateInfo, output: JsonValue): void {
    if (run.detached) return;
    appendEvent(run.record, 'TaskSucceeded', { ...resourceDetails(info), ...payload('output', output) });
    void this.store.save(run.record);
  }

  // ---------------------------------------------------------------- task tokens

  private openTask(record: ExecutionRecord, stateName: string, timeoutSeconds: number): TokenEntry {
    const now = Date.now();
    const task: TaskTokenRecord = {
      token: mintTaskToken(),
      stateName,
      status: 'WAITING',
      createdAt: now,
      deadline: now + timeoutSeconds * 1000,
      lambdaInvoked: false,
    };
    record.tasks.push(task);
    const entry: TokenEntry = { record, task, outcome: deferred<JsonValue>() };
    this.tokens.set(task.token, entry);
    return entry;
  }

  private entryOf(task: TaskTokenRecord): TokenEntry {
    const entry = this.tokens.get(task.token);
    if (!entry) throw new Error(`Unknown task token for state ${task.stateName}`);
    return entry;
  }

  /** The entry of a token that can still be answered; InvalidToken or TaskTimedOut otherwise. */
  private waitingEntry(token: string): TokenEntry {
    const entry = this.tokens.get(token);
    if (!entry) throw invalidToken();
    const open = entry.task.status === 'WAITING' && entry.record.status === 'RUNNING' && Date.now() < entry.task.deadline;
    if (!open) throw taskTimedOut();
    return entry;
  }

  private settleTask(
    entry: TokenEntry,
    status: Exclude<TaskTokenStatus, 'WAITING'>,
    outcome: { readonly output: JsonValue } | { readonly error: Error },
  ): Promise<void> {
    entry.task.status = status;
    entry.task.closedAt = Date.now();
    if ('output' in outcome) entry.outcome?.resolve(outcome.output);
    else entry.outcome?.reject(outcome.error);
    return this.store.save(entry.record);
  }

  private closeWaitingTasks(record: ExecutionRecord, stateName: string | undefined, status: 'TIMED_OUT' | 'CLOSED'): void {
    for (const task of record.tasks) {
      if (task.status !== 'WAITING' || (stateName !== undefined && task.stateName !== stateName)) continue;
      void this.settleTask(this.entryOf(task), status, { error: new DetachedRunError() });
    }
  }

  // ---------------------------------------------------------------- library events

  /** Drains the library's event log into the record. Synchronous per event, so a macrotask boundary means "caught up". */
  private async consume(run: LiveRun, events: AsyncGenerator<LibraryEvent>): Promise<void> {
    for await (const event of events) {
      if (!run.detached) this.apply(run, event);
    }
    if (this.runs.get(run.record.name) === run) this.runs.delete(run.record.name);
  }

  private apply(run: LiveRun, event: LibraryEvent): void {
    switch (event.type) {
      case 'ExecutionStarted':
        this.onExecutionStarted(run, event);
        break;
      case 'StateEntered':
        this.onStateEntered(run, event);
        break;
      case 'StateExited':
        this.onStateExited(run, event);
        break;
      case 'StateFailed':
        this.onStateFailed(run, event);
        break;
      case 'StateRetried':
        this.log(run.record, event.state.name, `retry #${event.retry.attempt}`);
        break;
      case 'StateCaught':
        this.log(run.record, event.state.name, `caught, next ${event.catch.catcher.Next}`);
        break;
      case 'ExecutionSucceeded':
        run.detached = true;
        void this.finish(run.record, 'SUCCEEDED', 'ExecutionSucceeded', payload('output', event.output), event.output);
        break;
      case 'ExecutionFailed':
        run.detached = true;
        this.fail(run.record, event.Error, causeText(event.Cause));
        break;
      case 'ExecutionTimeout':
        run.detached = true;
        run.record.error = 'States.Timeout';
        void this.finish(run.record, 'TIMED_OUT', 'ExecutionTimedOut', { error: 'States.Timeout' });
        break;
      default:
        break; // ExecutionAborted (we stop runs ourselves), Map and Parallel bookkeeping
    }
  }

  private onExecutionStarted(run: LiveRun, event: EventOf<'ExecutionStarted'>): void {
    if (run.skipExecutionStarted) return;
    const roleArn = `arn:aws:iam::${this.stateMachineArn.split(':')[4] ?? '000000000000'}:role/sfn-local`;
    appendEvent(run.record, 'ExecutionStarted', { ...payload('input', event.input as JsonValue), roleArn }, event.timestamp);
    void this.store.save(run.record);
    this.log(run.record, undefined, 'started');
  }

  private onStateEntered(run: LiveRun, event: EventOf<'StateEntered'>): void {
    const { name, type, input } = event.state;
    if (name in this.definition.States) run.record.currentState = { name, input: input as JsonValue };
    if (run.skipEnteredState === name) {
      run.skipEnteredState = undefined;
    } else {
      appendEvent(run.record, `${type}StateEntered`, { name, ...payload('input', input as JsonValue) }, event.timestamp);
      this.log(run.record, name, 'entered');
    }
    void this.store.save(run.record);
  }

  private onStateExited(run: LiveRun, event: EventOf<'StateExited'>): void {
    const { name, type, output } = event.state;
    appendEvent(run.record, `${type}StateExited`, { name, ...payload('output', output as JsonValue) }, event.timestamp);
    void this.store.save(run.record);
  }

  private onStateFailed(run: LiveRun, event: EventOf<'StateFailed'>): void {
    const info = run.tasks.get(event.state.name);
    const timedOut = event.Error === 'States.Timeout';
    const cause = causeText(event.Cause);
    this.log(run.record, event.state.name, `failed: ${event.Error}`);
    if (event.state.type !== 'Task' || !info) return;
    this.closeWaitingTasks(run.record, info.name, timedOut ? 'TIMED_OUT' : 'CLOSED');
    const details = { ...resourceDetails(info), ...errorDetails(event.Error, cause) };
    appendEvent(run.record, timedOut ? 'TaskTimedOut' : 'TaskFailed', details, event.timestamp);
    void this.store.save(run.record);
  }

  private fail(record: ExecutionRecord, error: string, cause: string): void {
    record.error = error;
    record.cause = cause;
    void this.finish(record, 'FAILED', 'ExecutionFailed', errorDetails(error, cause));
  }

  /** Closes an execution: final status, stop date, history event; its waiting tokens can no longer be answered. Resolves once that is on disk. */
  private finish(record: ExecutionRecord, status: ExecutionStatus, eventType: string, details: JsonObject, output?: JsonValue): Promise<void> {
    record.status = status;
    record.stopDate = Date.now();
    if (output !== undefined) record.output = jsonText(output);
    record.currentState = undefined;
    this.closeWaitingTasks(record, undefined, 'CLOSED');
    appendEvent(record, eventType, details, record.stopDate);
    const saved = this.store.save(record);
    const failure = record.error !== undefined ? `  ${record.error}${record.cause ? `: ${record.cause}` : ''}` : '';
    this.log(record, undefined, `${status}${failure}`);
    return saved;
  }

  private log(record: ExecutionRecord, stateName: string | undefined, message: string): void {
    this.writeLog(['sfn', record.name, ...(stateName ? [stateName] : []), message].join('  '));
  }
}
