/**
 * Benchmark 1, the engine against its floor: tasks per second through the local stack for a full
 * flow (sign-up: approval and token) and for auto-approved types (reset-password: token;
 * quota-change: nothing human at all), each right after a measurement of DynamoDB Local's raw write
 * rate on the same table, reported as (tasks/s × DynamoDB writes per task) ÷ raw writes/s.
 */
import { type Owner, quotaChange, resetPassword, signUp } from './flows.ts';
import { type PhaseResult, runPhase } from './phase.ts';
import { ProcessCpu } from './process-cpu.ts';
import { measureRawWrites, type RawWriteResult } from './raw-writes.ts';
import type { BenchStack } from './stack.ts';
import { fmt, type Table } from './table.ts';

export interface EngineOptions {
  readonly tasks: number;
  readonly concurrency: number;
  readonly rawWrites: number;
  readonly rawConcurrency: number;
  readonly log: (line: string) => void;
  /** Starts and stops a CPU profile of the stack's process around each workload (BENCH_PROFILE=1). */
  readonly profile?: { start(): void; stop(): Promise<void> };
}

export interface EngineRow {
  readonly workload: string;
  readonly phase: PhaseResult;
  /** The raw mixed PutItem/UpdateItem rate measured just before the workload. */
  readonly floor: RawWriteResult;
}

export interface EngineResult {
  /** Raw writes measured once in full: direct (PutItem, UpdateItem, both) and through the counting proxy. */
  readonly floor: { readonly direct: readonly RawWriteResult[]; readonly viaProxy: RawWriteResult };
  readonly rows: readonly EngineRow[];
  /** Owners made by the sign-up workload (each has done one reset-password and one quota-change). */
  readonly owners: readonly Owner[];
}

export async function runEngineBenchmark(stack: BenchStack, cpu: ProcessCpu, templateTaskId: string, options: EngineOptions): Promise<EngineResult> {
  const { tasks, concurrency, log } = options;
  const tableName = stack.endpoints.services.tableName;
  let run = 0;
  const raw = (via: 'direct' | 'proxy') =>
    measureRawWrites({
      client: via === 'direct' ? stack.dynamodb : stack.dynamodbViaProxy,
      tableName,
      templateTaskId,
      concurrency: options.rawConcurrency,
      writes: options.rawWrites,
      label: `${via}${(run += 1)}`,
    });
  const mixed = (results: readonly RawWriteResult[]) => results.find((result) => result.operation === 'PutItem+UpdateItem') ?? results[0]!;

  log(`raw DynamoDB Local writes: ${options.rawWrites} of each kind, ${options.rawConcurrency} in flight`);
  const direct = await raw('direct');
  const viaProxy = mixed(await raw('proxy'));
  for (const result of [...direct, viaProxy]) log(`  ${result.operation}: ${result.perSecond.toFixed(0)} writes/s`);

  const owners: Owner[] = [];
  const rows: EngineRow[] = [];
  const workload = async (name: string, job: (index: number) => Promise<void>) => {
    const floor = mixed(await raw('direct'));
    log(`  floor before ${name}: ${floor.perSecond.toFixed(0)} writes/s`);
    options.profile?.start();
    const phase = await runPhase(stack, cpu, { label: name, tasks, concurrency, job, log });
    await options.profile?.stop();
    rows.push({ workload: name, floor, phase });
  };
  await workload('sign-up (approval + token)', async (index) => {
    owners.push(await signUp(stack, `owner-${index}`));
  });
  await workload('reset-password (auto + token)', (index) => resetPassword(stack, owners[index]!));
  await workload('quota-change (auto, no token)', (index) => quotaChange(stack, owners[index]!, 'medium'));
  return { floor: { direct, viaProxy }, rows, owners };
}

const perTask = (value: number, phase: PhaseResult) => value / phase.tasks;

export function engineTables(result: EngineResult, options: EngineOptions, cores: number): Table[] {
  const floorTable: Table = {
    title: '1a. The floor: raw DynamoDB Local writes (copies of a real task item, same table, 3 GSIs, stream on)',
    headers: ['operation', 'client', 'writes', 'in flight', 'writes/s', 'WRU/write'],
    rows: [
      ...result.floor.direct.map((floor) => [floor.operation, 'SDK → DynamoDB Local', floor.writes, options.rawConcurrency, fmt(floor.perSecond), fmt(floor.unitsPerWrite, 1)]),
      [result.floor.viaProxy.operation, 'SDK → counting proxy → DynamoDB Local', result.floor.viaProxy.writes, options.rawConcurrency, fmt(result.floor.viaProxy.perSecond), fmt(result.floor.viaProxy.unitsPerWrite, 1)],
    ],
    notes: ['PutItem: a new copy with attribute_not_exists(pk); UpdateItem: version + 1 with attribute_exists(pk); PutItem+UpdateItem: the two interleaved.'],
  };
  const engineTable: Table = {
    title: '1b. The engine against its floor',
    headers: ['workload', 'tasks', 'in flight', 'tasks/s', 'writes/task', 'reads/task', 'engine writes/s', 'floor writes/s', 'ratio'],
    rows: result.rows.map(({ workload, phase, floor }) => {
      const writes = perTask(phase.dynamodb.writes, phase);
      const engineWrites = phase.tasksPerSecond * writes;
      return [
        workload,
        phase.tasks,
        phase.concurrency,
        fmt(phase.tasksPerSecond, 2),
        fmt(writes, 1),
        fmt(perTask(phase.dynamodb.reads, phase), 1),
        fmt(engineWrites, 0),
        fmt(floor.perSecond, 0),
        fmt(engineWrites / floor.perSecond, 2),
      ];
    }),
    notes: [
      'ratio = (tasks/s × DynamoDB writes per task) ÷ raw writes/s, the floor being PutItem+UpdateItem measured just before each workload.',
      'tasks/s: from the first request to the last task\'s "completed" email; writes and reads counted per item by the proxy the handlers talk through.',
      `token submits sent again after a 409 concurrent-update: ${result.rows.map(({ workload, phase }) => `${workload.split(' ')[0]} ${phase.apiRetries}`).join(', ')}.`,
    ],
  };
  const cpuTable: Table = {
    title: '1c. Where the time goes: CPU milliseconds per task, by process',
    headers: ['workload', 'stack (Node)', 'DynamoDB Local (Java)', 'bench (client, proxy)', 'total', 'CPU busy', 'other processes'],
    rows: result.rows.map(({ workload, phase }) => {
      const { stack, dynamodb, bench } = phase.cpu;
      const total = stack + dynamodb + bench;
      return [
        workload,
        fmt((1000 * stack) / phase.tasks, 0),
        fmt((1000 * dynamodb) / phase.tasks, 0),
        fmt((1000 * bench) / phase.tasks, 0),
        fmt((1000 * total) / phase.tasks, 0),
        `${fmt((100 * total) / (phase.seconds * cores), 0)}%`,
        `${fmt((100 * ProcessCpu.others(phase.cpu)) / (phase.seconds * cores), 0)}%`,
      ];
    }),
    notes: [
      'stack = the one Node process of `npm start`: HTTP and steps handlers, Step Functions runner, gateway, SES/EventBridge/S3 emulators, stream consumer.',
      `CPU busy = all three processes' CPU time ÷ (wall time × ${cores} cores); CPU is counted until the workflow is idle, wall time until the last completed email.`,
      'other processes = the rest of the machine\'s CPU time over the same span, same scale (kernel work for the loopback sockets, and anyone else using this machine).',
    ],
  };
  return [floorTable, engineTable, cpuTable];
}
