/**
 * `npm run bench`: the benchmarks of issue 5 and the console's page weight, printed as tables. Nothing here asserts on a
 * timing; docs/performance.md explains what each figure means and holds a recorded run.
 *
 * Environment (defaults in brackets):
 *   BENCH_ONLY               comma list of: cold, engine, cost, latency, console [all]
 *   BENCH_TASKS              tasks per workload of benchmark 1 [48]
 *   BENCH_CONCURRENCY        tasks in flight in benchmark 1 [16]
 *   BENCH_RAW_WRITES         writes per raw DynamoDB Local measurement [400]
 *   BENCH_RAW_CONCURRENCY    raw writes in flight [8]
 *   BENCH_COST_TASKS         tasks per task type in benchmark 2 [10]
 *   BENCH_COST_CONCURRENCY   tasks in flight in benchmark 2 [2]
 *   BENCH_INIT_RUNS          fresh processes per bundle variant in benchmark 3 [8]
 *   BENCH_SEQUENTIAL_READS   GET /v1/tasks/{id} and raw GetItems one at a time in benchmark 4 [500]
 *   BENCH_GET_RATES          req/s for GET /v1/tasks/{id} in benchmark 4 [20,100,200]
 *   BENCH_POST_RATES         req/s for POST /v1/tasks in benchmark 4 [2,5]
 *   BENCH_LATENCY_SECONDS    seconds per latency run [10]
 *   BENCH_PROFILE            1: also profile the stack's process during benchmark 1 (table 1d) [0]
 *   BENCH_MARKDOWN           also write the tables as Markdown to this file
 *   BENCH_JSON               also write the targets (bench/summary.ts) and every table as JSON to this file
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStartTables, runColdStartBenchmark } from './cold-start.ts';
import { consoleWeightTable, measureConsoleWeight } from './console-weight.ts';
import { costTables, runCostBenchmark } from './cost.ts';
import { engineTables, runEngineBenchmark } from './engine.ts';
import { inviteUser, type Owner, quotaChange, resetPassword, runPool, signUp } from './flows.ts';
import { latencyTable, runLatencyBenchmark, sequentialTable } from './latency.ts';
import { ProcessCpu } from './process-cpu.ts';
import { profileBreakdown, profileTable } from './profile.ts';
import { measureRawWrites } from './raw-writes.ts';
import { startBenchStack } from './stack.ts';
import { type SummaryInputs, summarise, summaryTable } from './summary.ts';
import { markdownTable, renderTable, type Table } from './table.ts';


const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1 (got "${process.env[name]}")`);
  return value;
};
const list = (name: string, fallback: string) =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const rates = (name: string, fallback: string) =>
  list(name, fallback).map((item) => {
    const value = Number(item);
    if (!(value >= 1)) throw new Error(`${name} must list rates ≥ 1 req/s (got "${item}")`);
    return value;
  });

const config = {
  only: new Set(list('BENCH_ONLY', 'cold,engine,cost,latency,console')),
  tasks: int('BENCH_TASKS', 48),
  concurrency: int('BENCH_CONCURRENCY', 16),
  rawWrites: int('BENCH_RAW_WRITES', 400),
  rawConcurrency: int('BENCH_RAW_CONCURRENCY', 8),
  costTasks: int('BENCH_COST_TASKS', 10),
  costConcurrency: int('BENCH_COST_CONCURRENCY', 2),
  initRuns: int('BENCH_INIT_RUNS', 8),
  sequentialReads: int('BENCH_SEQUENTIAL_READS', 500),
  getRates: rates('BENCH_GET_RATES', '20,100,200'),
  postRates: rates('BENCH_POST_RATES', '2,5'),
  latencySeconds: int('BENCH_LATENCY_SECONDS', 10),
  profile: process.env.BENCH_PROFILE === '1',
  markdown: process.env.BENCH_MARKDOWN,
  json: process.env.BENCH_JSON,
};

const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const tables: Table[] = [];
const show = (produced: readonly Table[]) => {
  for (const table of produced) {
    tables.push(table);
    console.log(renderTable(table));
  }
};

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
/** The 1-minute load average: on a shared machine, a figure taken under someone else's load says so here. */
const load = () => `load average ${loadavg()[0]?.toFixed(2)}`;
/** The 1-minute load average at each benchmark's end, for the JSON. */
const loads: Record<string, number> = {};
const noteLoad = (benchmark: string) => {
  loads[benchmark] = Number(loadavg()[0]?.toFixed(2));
  log(`(${load()})`);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGUSR2 to the stack's process toggles the profiler bench/profiler.mjs preloads into it. */
function profiler(pid: number | undefined, file: string) {
  let stops = 0;
  return {
    start: () => {
      if (pid !== undefined) process.kill(pid, 'SIGUSR2');
    },
    stop: async () => {
      if (pid === undefined) return;
      process.kill(pid, 'SIGUSR2');
      stops += 1;
      const written = `${file}.${stops}`;
      for (let waited = 0; !existsSync(written) && waited < 20_000; waited += 100) await sleep(100);
    },
    files: () => Array.from({ length: stops }, (_, index) => `${file}.${index + 1}`).filter((candidate) => existsSync(candidate)),
  };
}

async function warmUp(stack: Awaited<ReturnType<typeof startBenchStack>>): Promise<Owner[]> {
  log('warm-up (not measured): 8 sign-ups, 4 reset-password, 4 quota-change, 4 invite-user, 100 raw writes');
  const owners: Owner[] = [];
  await runPool(8, 8, async (index) => {
    owners.push(await signUp(stack, `warm-${index}`));
  });
  await runPool(4, 4, (index) => resetPassword(stack, owners[index]!));
  await runPool(4, 4, (index) => quotaChange(stack, owners[index]!, 'medium'));
  await runPool(4, 4, (index) => inviteUser(stack, owners[4 + index]!, `warm-invitee-${index}`));
  await measureRawWrites({ client: stack.dynamodb, tableName: stack.endpoints.services.tableName, templateTaskId: owners[0]!.taskId, concurrency: config.rawConcurrency, writes: 100, label: 'warm' });
  return owners;
}

async function main(): Promise<void> {
  const measured: { -readonly [K in keyof SummaryInputs]: SummaryInputs[K] } = { getRates: config.getRates };
  const startedAt = new Date().toISOString();
  console.log(`Assent benchmarks — ${machine}, ${load()} at the start`);
  console.log(`settings: ${JSON.stringify({ ...config, only: [...config.only] })}\n`);

  if (config.only.has('cold')) {
    log('3. cold-start proxies: building the Lambda bundles');
    measured.cold = await runColdStartBenchmark({ projectRoot: PROJECT_ROOT, runs: config.initRuns, log });
    show(coldStartTables(measured.cold, config.initRuns));
    noteLoad('cold');
  }

  if (['engine', 'cost', 'latency'].some((name) => config.only.has(name))) {
    log('starting the local stack (DynamoDB Local behind the counting proxy)');
    const profileDir = config.profile ? mkdtempSync(join(tmpdir(), 'assent-profile-')) : undefined;
    const profileFile = profileDir ? join(profileDir, 'stack.cpuprofile') : undefined;
    const stack = await startBenchStack(log, profileFile ? { NODE_OPTIONS: `--import ${join(PROJECT_ROOT, 'bench', 'profiler.mjs')}`, BENCH_PROFILE_FILE: profileFile } : {});
    const interrupted = () => {
      log('interrupted: stopping the local stack');
      void stack.stop().finally(() => process.exit(130));
    };
    process.once('SIGINT', interrupted);
    try {
      const cpu = new ProcessCpu(stack.stackPid);
      const owners = await warmUp(stack);
      const template = owners[0]!.taskId;
      if (config.only.has('engine')) {
        log('1. the engine against its floor');
        const profile = profileFile ? profiler(stack.stackPid, profileFile) : undefined;
        const options = { tasks: config.tasks, concurrency: config.concurrency, rawWrites: config.rawWrites, rawConcurrency: config.rawConcurrency, log, profile };
        const result = await runEngineBenchmark(stack, cpu, template, options);
        show(engineTables(result, options, cpus().length));
        if (profile) show([profileTable(profileBreakdown(profile.files()), result.rows.reduce((total, row) => total + row.phase.tasks, 0))]);
        noteLoad('engine');
      }
      if (config.only.has('cost')) {
        log('2. cost per task');
        measured.cost = await runCostBenchmark(stack, cpu, { tasks: config.costTasks, concurrency: config.costConcurrency, projectRoot: PROJECT_ROOT, log });
        show(costTables(measured.cost));
        noteLoad('cost');
      }
      if (config.only.has('latency')) {
        log('4. API latency under load');
        const options = { sequential: config.sequentialReads, getRates: config.getRates, postRates: config.postRates, seconds: config.latencySeconds, log };
        measured.latency = await runLatencyBenchmark(stack, template, options);
        show([sequentialTable(measured.latency.sequential), latencyTable(measured.latency.rows, options)]);
        noteLoad('latency');
      }
    } finally {
      process.removeListener('SIGINT', interrupted);
      log('stopping the local stack');
      await stack.stop();
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    }
  }

  if (config.only.has('console')) {
    log('5. the console\'s page weight');
    show([consoleWeightTable(await measureConsoleWeight())]);
  }

  const targets = summarise(measured);
  if (targets.length) show([summaryTable(targets)]);

  if (config.json) {
    const document = { startedAt, machine, node: process.version, settings: { ...config, only: [...config.only] }, loadAverages: loads, seconds: Math.round((performance.now() - started) / 1000), targets, tables };
    writeFileSync(config.json, `${JSON.stringify(document, null, 2)}\n`);
    log(`targets and tables written to ${config.json}`);
  }
  if (config.markdown) {
    writeFileSync(config.markdown, [`Machine: ${machine}; settings: ${JSON.stringify({ ...config, only: [...config.only] })}`, '', ...tables.map(markdownTable)].join('\n'));
    log(`tables written to ${config.markdown}`);
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s (${load()})`);
}

await main();
