/**
 * Benchmark 2, cost per task: each task type driven a few at a time, with everything it used
 * counted — state transitions, Lambda invocations (from the local runner's execution history and
 * the API requests), DynamoDB request units (the counting proxy), emails, lifecycle events — and
 * priced per 1,000 tasks at published AWS prices.
 */
import { inviteUser, type Owner, quotaChange, quotaChangeApproved, resetPassword, resetPasswordUnknown, signUp } from './flows.ts';
import { median, type PhaseResult, runPhase, sum, waitForIdleWorkflow } from './phase.ts';
import { configuredMemoryMb, PRICES, PRICES_AS_OF, priceOf, type TaskUsage } from './prices.ts';
import type { ProcessCpu } from './process-cpu.ts';
import type { BenchStack } from './stack.ts';
import { fmt, type Table, usd } from './table.ts';

export interface CostOptions {
  readonly tasks: number;
  readonly concurrency: number;
  readonly projectRoot: string;
  readonly log: (line: string) => void;
}

export interface CostRow {
  readonly taskType: string;
  readonly path: string;
  readonly phase: PhaseResult;
  readonly usage: TaskUsage;
}

export interface CostResult {
  readonly rows: readonly CostRow[];
  readonly memoryMb: number;
  readonly memoryNote: string;
}

/** Lambda billing: each invocation's duration rounded up to the millisecond, times the memory. */
const gbSeconds = (durationsMs: readonly number[], memoryMb: number) => sum(durationsMs.map((ms) => Math.max(1, Math.ceil(ms)))) / 1000 * (memoryMb / 1024);

function usageOf(phase: PhaseResult, memoryMb: number): TaskUsage {
  const n = phase.tasks;
  const { dynamodb, workflow } = phase;
  // A failed conditional write reports no capacity; DynamoDB bills at least 1 WRU for it.
  const writeUnits = dynamodb.writeUnits + dynamodb.failedWrites;
  return {
    transitions: workflow.transitions / n,
    lambdaInvocations: (workflow.lambdaInvocations + phase.apiRequests) / n,
    lambdaGbSeconds: (gbSeconds(workflow.lambdaDurationsMs, memoryMb) + gbSeconds(phase.apiLatenciesMs, memoryMb)) / n,
    writeUnits: writeUnits / n,
    readUnits: dynamodb.readUnits / n,
    emails: phase.emails / n,
    events: phase.events / n,
    apiRequests: phase.apiRequests / n,
  };
}

export async function runCostBenchmark(stack: BenchStack, cpu: ProcessCpu, options: CostOptions): Promise<CostResult> {
  const { tasks, concurrency, log } = options;
  const { memoryMb, note } = configuredMemoryMb(options.projectRoot);
  const rows: CostRow[] = [];
  const owners: Owner[] = [];
  const measure = async (taskType: string, path: string, job: (index: number) => Promise<void>) => {
    const phase = await runPhase(stack, cpu, { label: `cost: ${taskType} (${path})`, tasks, concurrency, job, log });
    rows.push({ taskType, path, phase, usage: usageOf(phase, memoryMb) });
  };
  // Every execution of the earlier benchmarks ended first: a straggler's writes and emails would be billed to the first row.
  await waitForIdleWorkflow(stack, 0, 120_000);
  await measure('sign-up', 'admin approval, token', async (index) => {
    owners.push(await signUp(stack, `cost-owner-${index}`));
  });
  await measure('reset-password', 'known account: auto, token', (index) => resetPassword(stack, owners[index]!));
  await measure('reset-password', 'unknown address: auto-rejected, no email', (index) => resetPasswordUnknown(stack, `cost-ghost-${index}`));
  await measure('quota-change', '2 steps up: an admin, then two of security, no token', (index) => quotaChangeApproved(stack, owners[index]!));
  await measure('quota-change', '1 step down: auto, no token', (index) => quotaChange(stack, owners[index]!, 'medium'));
  await measure('invite-user', 'new address: auto, token', (index) => inviteUser(stack, owners[index]!, `cost-invitee-${index}`));
  return { rows, memoryMb, memoryNote: note };
}

export function costTables(result: CostResult): Table[] {
  const usageTable: Table = {
    title: '2a. What one task uses (averages per task)',
    headers: ['task type', 'path', 'API requests', 'transitions', 'Lambda invocations', 'DynamoDB writes', 'WRU', 'conflicts', 'reads', 'RRU', 'emails', 'events'],
    rows: result.rows.map(({ taskType, path, phase, usage }) => [
      taskType,
      path,
      fmt(usage.apiRequests, 1),
      fmt(usage.transitions, 1),
      `${fmt(usage.lambdaInvocations, 1)} (${fmt(phase.workflow.lambdaInvocations / phase.tasks, 1)} steps)`,
      fmt(phase.dynamodb.writes / phase.tasks, 1),
      fmt(usage.writeUnits, 1),
      fmt(conflictsOf(phase) / phase.tasks, 2),
      fmt(phase.dynamodb.reads / phase.tasks, 1),
      fmt(usage.readUnits, 1),
      fmt(usage.emails, 1),
      fmt(usage.events, 1),
    ]),
    notes: [
      'transitions: `…StateEntered` events in GetExecutionHistory (what Standard workflows bill); Lambda invocations: HTTP handler (one per API request) + steps handler (`TaskScheduled` events).',
      'DynamoDB writes/reads: items (a TransactWriteItems item counts once); WRU/RRU: the ConsumedCapacity DynamoDB Local reports (item size, plus each index whose keys or projected attributes the write changes, transactions ×2), + 1 WRU per failed conditional write.',
      'conflicts: conditional writes that lost (ConditionalCheckFailedException, TransactionCanceledException) per task: each is a change decided again on a fresh read.',
      `Measured with ${result.rows[0]?.phase.tasks ?? 0} tasks per row, ${result.rows[0]?.phase.concurrency ?? 0} at a time.`,
    ],
  };
  const durationTable: Table = {
    title: `2b. Lambda time behind the compute price (${result.memoryMb} MB, arm64; measured locally, see the caveats)`,
    headers: ['task type', 'path', 'steps invocations', 'steps median ms', 'HTTP median ms', 'GB-s per task'],
    rows: result.rows.map(({ taskType, path, phase, usage }) => [
      taskType,
      path,
      fmt(phase.workflow.lambdaInvocations / phase.tasks, 1),
      fmt(median(phase.workflow.lambdaDurationsMs), 0),
      fmt(median(phase.apiLatenciesMs), 0),
      fmt(usage.lambdaGbSeconds, 3),
    ]),
    notes: [`memory: ${result.memoryMb} MB (${result.memoryNote}); steps durations from the runner's history (TaskStarted → TaskSucceeded/TaskSubmitted), HTTP durations = client-side request time (an upper bound).`],
  };
  const priceTable: Table = {
    title: `2c. Price per 1,000 tasks (us-east-1 list prices as of ${PRICES_AS_OF})`,
    headers: ['task type', 'path', 'Step Functions', 'Lambda', 'DynamoDB', 'SES', 'EventBridge', 'API Gateway', 'total / 1,000'],
    rows: result.rows.map(({ taskType, path, usage }) => {
      const price = priceOf(usage);
      const per1000 = (value: number) => usd(value * 1000);
      return [taskType, path, per1000(price.stepFunctions), per1000(price.lambda), per1000(price.dynamodb), per1000(price.ses), per1000(price.eventBridge), per1000(price.apiGateway), per1000(price.total)];
    }),
    notes: [
      `Step Functions $${PRICES.stateTransition * 1000} per 1,000 transitions; Lambda $${PRICES.lambdaRequest * 1e6} per 1M requests + $${PRICES.lambdaGbSecondArm} per GB-s (arm64); DynamoDB on-demand $${PRICES.writeRequestUnit * 1e6} per 1M WRU, $${PRICES.readRequestUnit * 1e6} per 1M RRU; SES $${PRICES.email * 1000} per 1,000 emails; EventBridge $${PRICES.event * 1e6} per 1M events; HTTP API $${PRICES.httpApiRequest * 1e6} per 1M requests.`,
      'Not included: storage, TTL deletes (free), the archiver (stream reads by a Lambda trigger are free; its invocations and S3 PUTs are per batch of up to 100 records), CloudWatch Logs, X-Ray traces, data transfer, free tiers.',
    ],
  };
  const writeKinds = [...new Set(result.rows.flatMap(({ phase }) => Object.entries(phase.dynamodb.byKind).filter(([, counts]) => counts.writes > 0).map(([kind]) => kind)))].sort(
    (a, b) => sum(result.rows.map(({ phase }) => phase.dynamodb.byKind[b]?.writes ?? 0)) - sum(result.rows.map(({ phase }) => phase.dynamodb.byKind[a]?.writes ?? 0)),
  );
  const kindTable: Table = {
    title: '2d. DynamoDB writes per task by item kind: items written (WRU)',
    headers: ['task type', 'path', ...writeKinds],
    rows: result.rows.map(({ taskType, path, phase }) => [
      taskType,
      path,
      ...writeKinds.map((kind) => {
        const counts = phase.dynamodb.byKind[kind];
        return counts && counts.writes > 0 ? `${fmt(counts.writes / phase.tasks, 1)} (${fmt(counts.writeUnits / phase.tasks, 0)})` : '–';
      }),
    ]),
    notes: ['Kind = the partition key\'s prefix. A TASK item is written whole once (creation); every later write is an UpdateItem of the attributes it changes, billed at the item\'s size in KB, plus 2 WRU for the byStatus index when the status changes.'],
  };
  return [usageTable, durationTable, priceTable, kindTable, storageTargets(result), workflowTargets(result)];
}

/** Issue 10's storage targets: WRU per task on the two hot paths, and no conflict retries. */
const STORAGE_TARGETS = [
  { taskType: 'sign-up', path: 'admin approval, token', maxWru: 40 },
  { taskType: 'reset-password', path: 'known account: auto, token', maxWru: 30 },
] as const;

const conflictsOf = (phase: PhaseResult) =>
  (phase.dynamodb.errors.ConditionalCheckFailedException ?? 0) + (phase.dynamodb.errors.TransactionCanceledException ?? 0);

/** Where the storage targets stand, measured in this run. */
export function storageTargets(result: CostResult): Table {
  return {
    title: '2e. Storage targets: WRU per task and conflict retries',
    headers: ['task type', 'path', 'WRU', 'target', 'conflicts', 'met'],
    rows: STORAGE_TARGETS.map((target) => {
      const row = result.rows.find((candidate) => candidate.taskType === target.taskType && candidate.path === target.path);
      if (!row) return [target.taskType, target.path, '–', `≤ ${target.maxWru}`, '–', 'not run'];
      const conflicts = conflictsOf(row.phase);
      const met = row.usage.writeUnits <= target.maxWru && conflicts === 0;
      return [target.taskType, target.path, fmt(row.usage.writeUnits, 1), `≤ ${target.maxWru}`, String(conflicts), met ? 'yes' : 'NO'];
    }),
    notes: ['conflicts: in all of that row\'s tasks together; the target is zero.'],
  };
}

/** Issue 15's workflow targets, for every path measured: at most this many state transitions and steps Lambda invocations per task. */
const WORKFLOW_TARGETS = { maxTransitions: 5, maxStepsInvocations: 5 } as const;

/** Where the workflow targets stand on every measured path (2a's transitions and steps invocations), measured in this run. */
export function workflowTargets(result: CostResult): Table {
  const { maxTransitions, maxStepsInvocations } = WORKFLOW_TARGETS;
  return {
    title: '2f. Workflow targets: state transitions and steps invocations per task',
    headers: ['task type', 'path', 'transitions', 'target', 'steps invocations', 'target', 'met'],
    rows: result.rows.map(({ taskType, path, phase, usage }) => {
      const invocations = phase.workflow.lambdaInvocations / phase.tasks;
      const met = usage.transitions <= maxTransitions && invocations <= maxStepsInvocations;
      return [taskType, path, fmt(usage.transitions, 1), `≤ ${maxTransitions}`, fmt(invocations, 1), `≤ ${maxStepsInvocations}`, met ? 'yes' : 'NO'];
    }),
    notes: [
      'transitions: states entered per execution (Choice and Succeed states count as much as Task states); steps invocations: `TaskScheduled` events, retries of a step included.',
      'The state machine has no Choice states: AwaitApproval and AwaitToken answer their own task tokens when nobody is needed, so every path that goes through enters AwaitApproval, AwaitToken, Complete.',
    ],
  };
}
