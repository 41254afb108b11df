/**
 * One measured phase: run a number of tasks of one kind, wait until the workflow is idle, and
 * collect what it cost — DynamoDB requests and units (the counting proxy), API requests, emails,
 * lifecycle events, CPU per process, and from the local runner's execution history the state
 * transitions, the steps Lambda's invocations and how long each took.
 */
import { GetExecutionHistoryCommand, type HistoryEvent, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { DynamoDbCounts } from './dynamodb-counter.ts';
import { runPool } from './flows.ts';
import { type CpuSample, ProcessCpu } from './process-cpu.ts';
import type { BenchStack } from './stack.ts';

export interface ExecutionStats {
  /** Executions started during the phase. */
  readonly executions: number;
  /** `…StateEntered` events: what Step Functions Standard bills as state transitions. */
  readonly transitions: number;
  /** `TaskScheduled` events: invocations of the steps Lambda (retries included). */
  readonly lambdaInvocations: number;
  /** Per invocation, TaskStarted → TaskSucceeded/TaskSubmitted/TaskFailed, in ms. */
  readonly lambdaDurationsMs: readonly number[];
  /** Executions by final status. */
  readonly statuses: Readonly<Record<string, number>>;
}

export interface PhaseResult {
  readonly label: string;
  readonly tasks: number;
  readonly concurrency: number;
  /** From the first request to the last task's completed email. */
  readonly seconds: number;
  readonly tasksPerSecond: number;
  readonly dynamodb: DynamoDbCounts;
  readonly apiRequests: number;
  /** Token submits sent again after a 409 concurrent-update. */
  readonly apiRetries: number;
  /** Client-side time of each API request, in ms. */
  readonly apiLatenciesMs: readonly number[];
  readonly emails: number;
  readonly events: number;
  /** CPU seconds by process, until the workflow was idle again. */
  readonly cpu: CpuSample;
  readonly workflow: ExecutionStats;
}

export interface PhaseOptions {
  readonly label: string;
  readonly tasks: number;
  readonly concurrency: number;
  readonly job: (index: number) => Promise<void>;
  readonly log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every execution of the state machine started at or after `since` (epoch ms). */
async function executionsSince(stack: BenchStack, since: number): Promise<{ executionArn: string; status: string }[]> {
  const found: { executionArn: string; status: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await stack.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.endpoints.services.stateMachineArn, maxResults: 1000, nextToken }));
    const executions = page.executions ?? [];
    for (const execution of executions) {
      if ((execution.startDate?.getTime() ?? 0) >= since && execution.executionArn) found.push({ executionArn: execution.executionArn, status: execution.status ?? 'UNKNOWN' });
    }
    // Newest first: once a page reaches older executions, the rest are older still.
    nextToken = (executions.at(-1)?.startDate?.getTime() ?? 0) >= since ? page.nextToken : undefined;
  } while (nextToken);
  return found;
}

/** Waits until no execution started at or after `since` is still running (at most `timeoutMs`). */
export async function waitForIdleWorkflow(stack: BenchStack, since: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await executionsSince(stack, since)).some((execution) => execution.status === 'RUNNING')) {
    if (Date.now() > deadline) throw new Error(`Executions started since ${new Date(since).toISOString()} are still running after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
  await sleep(300);
}

async function historyOf(stack: BenchStack, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await stack.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Transitions, Lambda invocations and their durations from the histories of `executions`. */
export async function workflowStats(stack: BenchStack, executions: readonly { executionArn: string; status: string }[]): Promise<ExecutionStats> {
  let transitions = 0;
  let lambdaInvocations = 0;
  const lambdaDurationsMs: number[] = [];
  const statuses: Record<string, number> = {};
  for (const execution of executions) {
    statuses[execution.status] = (statuses[execution.status] ?? 0) + 1;
    let started: number | undefined;
    for (const event of await historyOf(stack, execution.executionArn)) {
      const type = event.type ?? '';
      const at = event.timestamp?.getTime() ?? 0;
      if (type.endsWith('StateEntered')) transitions += 1;
      if (type === 'TaskScheduled') lambdaInvocations += 1;
      if (type === 'TaskStarted') started = at;
      if ((type === 'TaskSubmitted' || type === 'TaskSucceeded' || type === 'TaskFailed') && started !== undefined) {
        lambdaDurationsMs.push(at - started);
        started = undefined;
      }
    }
  }
  return { executions: executions.length, transitions, lambdaInvocations, lambdaDurationsMs, statuses };
}

/** Runs the phase's tasks `concurrency` at a time and measures them. */
export async function runPhase(stack: BenchStack, cpu: ProcessCpu, options: PhaseOptions): Promise<PhaseResult> {
  const { label, tasks, concurrency, job, log } = options;
  await stack.mailbox.clear();
  stack.counter.reset();
  const eventsBefore = await stack.eventCount();
  const requestsBefore = stack.api.requests;
  const retriesBefore = stack.api.retries;
  stack.api.latencies = [];
  const cpuBefore = cpu.sample();
  const since = Date.now();
  let reported = 0;
  log(`${label}: ${tasks} tasks, ${concurrency} at a time`);
  const seconds = await runPool(tasks, concurrency, job, (done) => {
    if (done === tasks || done - reported >= Math.max(1, Math.ceil(tasks / 4))) {
      reported = done;
      log(`  ${label}: ${done}/${tasks}`);
    }
  });
  await waitForIdleWorkflow(stack, since);
  await stack.mailbox.poll();
  const result: PhaseResult = {
    label,
    tasks,
    concurrency,
    seconds,
    tasksPerSecond: tasks / seconds,
    dynamodb: stack.counter.counts(),
    apiRequests: stack.api.requests - requestsBefore,
    apiRetries: stack.api.retries - retriesBefore,
    apiLatenciesMs: [...stack.api.latencies],
    emails: stack.mailbox.received,
    events: (await stack.eventCount()) - eventsBefore,
    cpu: ProcessCpu.since(cpuBefore, cpu.sample()),
    workflow: await workflowStats(stack, await executionsSince(stack, since)),
  };
  log(`  ${label}: ${result.tasksPerSecond.toFixed(2)} tasks/s over ${seconds.toFixed(1)} s`);
  return result;
}

/** The median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
