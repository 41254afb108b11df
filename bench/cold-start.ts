/**
 * Benchmark 3, cold-start proxies: every Lambda bundle CDK builds, built here by esbuild from
 * HANDLER_BUNDLING of lib/constructs/handler-function.ts (through lib/bundling/esbuild-options.ts:
 * the same index.mjs, byte for byte, as `cdk synth`), once as CDK ships it (AWS SDK bundled)
 * and once with `@aws-sdk/*` external; their sizes; and the time a fresh `node` process takes to
 * import each one and to run a first invocation that needs no network — beside a floor bundle that
 * imports only the same AWS SDK clients and commands and constructs the clients, and a libraries
 * floor that adds every other package the function imports, as it imports them, without a line of
 * project code (bench/library-imports.ts): what a target under it would have to drop a package for.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { ENV } from '../functions/env-names.ts';
import { esbuildOptionsFor } from '../lib/bundling/esbuild-options.ts';
import { HANDLER_BUNDLING, handlerEnvironment } from '../lib/constructs/handler-function.ts';
import { apiGatewayGet } from './api-gateway-event.ts';
import { compiledProjectSources, libraryImportsOf, librarySource, type ModuleImports, packageOf } from './library-imports.ts';
import { median } from './phase.ts';
import { fmt, type Table } from './table.ts';

export interface ColdStartOptions {
  readonly projectRoot: string;
  /** Fresh processes per variant. */
  readonly runs: number;
  readonly log: (line: string) => void;
}

/** The functions CDK bundles, with their entry files as lib/ names them. */
export interface LambdaEntry {
  readonly name: string;
  readonly entry: string;
  /** A first invocation that touches no network (and may throw once the work is done). */
  readonly event: unknown;
}

type Variant = 'bundled' | 'bundled, --enable-source-maps' | 'SDK external' | 'libraries' | 'floor';

interface Probe {
  readonly importMs: number;
  /** CPU time (user + system) of the import: steadier than wall time on a shared machine. */
  readonly importCpuMs: number;
  readonly firstCallMs: number;
  /** From process start (Node's time origin) to the end of the first call. */
  readonly readyMs: number;
  /** When the first call threw: reading its `stack`, the first stack formatted (source maps are read then). */
  readonly firstStackMs?: number;
  /** Spawn to exit, measured by the parent. */
  readonly wallMs: number;
}

export interface BundleSizes {
  readonly bytes: number;
  readonly mapBytes: number;
  /** index.mjs + index.mjs.map deflated, about what the Lambda zip holds. */
  readonly zippedBytes: number;
}

/** Bytes of index.mjs by origin. */
export interface BundleContents {
  readonly sdk: number;
  readonly project: number;
  /** Other packages, largest first. */
  readonly packages: readonly (readonly [string, number])[];
  /** Of zod's bytes, those of its translated error messages (`zod/v4/locales/*`), and how many locales. */
  readonly zodLocales: { readonly bytes: number; readonly files: number };
}

export interface ColdStartRow {
  readonly fn: LambdaEntry;
  readonly contents: BundleContents;
  readonly bundled: BundleSizes;
  readonly external: BundleSizes;
  readonly floor: BundleSizes;
  /** The floor plus the other packages the function's files import (bench/library-imports.ts), no project code. */
  readonly libraries: BundleSizes;
  /** The same without the AWS SDK: what the function's packages alone add to a bundle. */
  readonly librariesExternal: BundleSizes;
  /** The SDK packages and names the floor imports. */
  readonly sdkImports: Readonly<Record<string, readonly string[]>>;
  /** The other packages, as the function's files import them (the libraries floor adds these). */
  readonly libraryImports: readonly ModuleImports[];
  readonly probes: Readonly<Record<Variant, readonly Probe[]>>;
}

const ENTRY_PATTERN = /entry: `\$\{[^}]+\}\/(functions\/[^`]+\.ts)`/g;

/** Names for the tables, by entry file (an entry not listed is named by its path). */
const FUNCTION_NAMES: Record<string, string> = {
  'functions/http/handler.ts': 'HttpHandler',
  'functions/steps/handler.ts': 'StepsHandler',
  'functions/streams/archive.ts': 'Archiver',
  'functions/streams/outbox.ts': 'Outbox',
  'functions/streams/mail-feedback.ts': 'MailFeedback',
  'functions/schedules/reconcile.ts': 'Reconciler',
};

/** The entry files of every HandlerFunction in lib/assent-stack.ts and lib/constructs/*.ts. */
export function lambdaEntries(projectRoot: string): LambdaEntry[] {
  const paths = ['lib/assent-stack.ts', ...readdirSync(join(projectRoot, 'lib/constructs')).filter((file) => file.endsWith('.ts')).sort().map((file) => `lib/constructs/${file}`)];
  const files = paths.map((file) => readFileSync(join(projectRoot, file), 'utf8'));
  const entries = [...new Set(files.flatMap((source) => [...source.matchAll(ENTRY_PATTERN)].map((match) => match[1] ?? '')))];
  return entries.map((entry) => {
    const name = FUNCTION_NAMES[entry] ?? entry;
    // `GET /v1/task-types`: answered from code, no AWS call.
    if (entry.includes('/http/')) return { name, entry, event: apiGatewayGet('GET /v1/task-types', '/v1/task-types') };
    if (entry.includes('/steps/')) return { name, entry, event: { step: 'not-a-step' } };
    if (entry.includes('/streams/')) return { name, entry, event: { Records: [] } };
    return { name, entry, event: {} };
  });
}

const cdkOptions = (projectRoot: string, entry: string, outfile: string, external: string[]) => esbuildOptionsFor(HANDLER_BUNDLING, projectRoot, entry, outfile, external);

function sizes(file: string): BundleSizes {
  const code = readFileSync(file);
  const map = readFileSync(`${file}.map`);
  return { bytes: code.length, mapBytes: map.length, zippedBytes: deflateRawSync(code).length + deflateRawSync(map).length };
}

/** What index.mjs is made of, from esbuild's metafile (bytes each input contributes). */
function contentsOf(metafile: Metafile): BundleContents {
  const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint !== undefined) ?? Object.values(metafile.outputs)[0];
  let sdk = 0;
  let project = 0;
  const packages = new Map<string, number>();
  const zodLocales = { bytes: 0, files: 0 };
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    if (bytesInOutput === 0) continue;
    if (/node_modules\/zod\/.*\/locales\//.test(input)) {
      zodLocales.bytes += bytesInOutput;
      zodLocales.files += 1;
    }
    // lib/bundling/zod*.mjs re-export zod (the `z` namespace objects): zod's bytes.
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? (/^lib\/bundling\/zod/.test(input) ? 'zod' : undefined);
    if (!name) project += bytesInOutput;
    else if (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws-crypto/')) sdk += bytesInOutput;
    else packages.set(name, (packages.get(name) ?? 0) + bytesInOutput);
  }
  return { sdk, project, packages: [...packages].sort((a, b) => b[1] - a[1]), zodLocales };
}

const IMPORT_PATTERN = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(@aws-sdk\/[^']+)'/g;

/** The AWS SDK names the project's own files in the bundle import (values only, not types). */
function sdkImportsOf(metafile: Metafile, projectRoot: string): Record<string, string[]> {
  const imports: Record<string, Set<string>> = {};
  for (const input of Object.keys(metafile.inputs)) {
    if (input.includes('node_modules') || !input.endsWith('.ts')) continue;
    const source = readFileSync(join(projectRoot, input), 'utf8');
    for (const [, typeOnly, names = '', pkg = ''] of source.matchAll(IMPORT_PATTERN)) {
      if (typeOnly) continue;
      for (const raw of names.split(',')) {
        const name = raw.trim().split(/\s+as\s+/)[0]?.trim() ?? '';
        if (!name || name.startsWith('type ')) continue;
        (imports[pkg] ??= new Set()).add(name);
      }
    }
  }
  return Object.fromEntries(Object.entries(imports).map(([pkg, names]) => [pkg, [...names].sort()]));
}

/** A handler that imports exactly `imports` and constructs the clients among them. */
function floorSource(imports: Record<string, readonly string[]>): string {
  const lines = Object.entries(imports).map(([pkg, names]) => `import { ${names.join(', ')} } from '${pkg}';`);
  const all = Object.values(imports).flat();
  const clients = all.filter((name) => name.endsWith('Client') && name !== 'DynamoDBDocumentClient').map((name) => `new ${name}({})`);
  if (all.includes('DynamoDBDocumentClient')) clients.push('DynamoDBDocumentClient.from(new DynamoDBClient({}))');
  return [
    ...lines,
    `const used = [${all.join(', ')}];`,
    'let clients;',
    `export const handler = async () => { clients ??= [${clients.join(', ')}]; return { used: used.length, clients: clients.length }; };`,
    '',
  ].join('\n');
}

const PROBE = `
const cpu = process.cpuUsage();
const started = performance.now();
const mod = await import(process.env.BENCH_BUNDLE);
const imported = performance.now();
const { user, system } = process.cpuUsage(cpu);
const context = { callbackWaitsForEmptyEventLoop: true, functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench', memoryLimitInMB: '512', awsRequestId: 'bench', logGroupName: '/aws/lambda/bench', logStreamName: 'bench', getRemainingTimeInMillis: () => 60000, done() {}, fail() {}, succeed() {} };
let thrown;
try { await mod.handler(JSON.parse(process.env.BENCH_EVENT), context); } catch (error) { thrown = error; }
const called = performance.now();
const firstStackMs = thrown instanceof Error ? (thrown.stack, performance.now() - called) : undefined;
process.stdout.write('\\nBENCH_INIT ' + JSON.stringify({ importMs: imported - started, importCpuMs: (user + system) / 1000, firstCallMs: called - imported, readyMs: called, firstStackMs }) + '\\n');
`;

/** What a function's environment holds on AWS (dummy values), plus endpoints that answer nothing. */
function lambdaEnv(enableSourceMaps: boolean): NodeJS.ProcessEnv {
  const dummy = Object.fromEntries(Object.values(ENV).map((name) => [name, name === ENV.publicUrl || name === ENV.jwksUrl ? 'https://example.com' : 'bench']));
  const nowhere = 'http://127.0.0.1:9';
  return {
    PATH: process.env.PATH,
    ...dummy,
    [ENV.ttlMinutes]: '1440',
    [ENV.trackActions]: 'true',
    [ENV.operatorEmails]: 'approver@example.com',
    [ENV.taskTypeOverrides]: '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL: nowhere,
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    // As Lambda's runtime sets it: the traced functions then load Powertools Tracer and the X-Ray SDK at init, as on AWS.
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    ...handlerEnvironment(),
    ...(enableSourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
  };
}

function probe(probeFile: string, bundle: string, event: unknown, enableSourceMaps: boolean): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [probeFile], {
      env: { ...lambdaEnv(enableSourceMaps), BENCH_BUNDLE: bundle, BENCH_EVENT: JSON.stringify(event) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.once('error', reject);
    child.once('exit', () => {
      const wallMs = performance.now() - started;
      const line = output.split('\n').find((candidate) => candidate.startsWith('BENCH_INIT '));
      if (!line) return reject(new Error(`The probe of ${bundle} printed no figures:\n${output.slice(0, 2000)}`));
      resolve({ ...(JSON.parse(line.slice('BENCH_INIT '.length)) as Omit<Probe, 'wallMs'>), wallMs });
    });
  });
}

export async function runColdStartBenchmark(options: ColdStartOptions): Promise<ColdStartRow[]> {
  const { projectRoot, runs, log } = options;
  const out = mkdtempSync(join(tmpdir(), 'assent-bundles-'));
  // The SDK-external bundles resolve @aws-sdk/* from here, as Lambda's runtime provides it.
  symlinkSync(join(projectRoot, 'node_modules'), join(out, 'node_modules'), 'dir');
  const probeFile = join(out, 'probe.mjs');
  writeFileSync(probeFile, PROBE);
  try {
    const built: { fn: LambdaEntry; files: Record<Variant, string>; row: Omit<ColdStartRow, 'probes'> }[] = [];
    for (const fn of lambdaEntries(projectRoot)) {
      const bundled = join(out, fn.name, 'index.mjs');
      const external = join(out, `${fn.name}-sdk-external`, 'index.mjs');
      const floor = join(out, `${fn.name}-floor`, 'index.mjs');
      const libraries = join(out, `${fn.name}-libraries`, 'index.mjs');
      const librariesExternal = join(out, `${fn.name}-libraries-sdk-external`, 'index.mjs');
      const { metafile } = await build(cdkOptions(projectRoot, fn.entry, bundled, []));
      await build(cdkOptions(projectRoot, fn.entry, external, ['@aws-sdk/*']));
      const sdkImports = sdkImportsOf(metafile as Metafile, projectRoot);
      const floorEntry = join(out, `${fn.name}-floor.mjs`);
      writeFileSync(floorEntry, floorSource(sdkImports));
      await build(cdkOptions(projectRoot, relative(projectRoot, floorEntry), floor, []));
      const libraryImports = libraryImportsOf(compiledProjectSources(metafile as Metafile, projectRoot));
      const librariesEntry = join(out, `${fn.name}-libraries.mjs`);
      writeFileSync(librariesEntry, `export { handler } from './${fn.name}-floor.mjs';\n${librarySource(libraryImports)}`);
      await build(cdkOptions(projectRoot, relative(projectRoot, librariesEntry), libraries, []));
      await build(cdkOptions(projectRoot, relative(projectRoot, librariesEntry), librariesExternal, ['@aws-sdk/*']));
      log(`${fn.name} (${fn.entry}): ${fmt(statSync(bundled).size / 1024)} KiB bundled, ${fmt(statSync(external).size / 1024)} KiB without the SDK, floor ${fmt(statSync(floor).size / 1024)} KiB, its packages alone ${fmt(statSync(librariesExternal).size / 1024)} KiB without the SDK`);
      built.push({
        fn,
        files: { bundled, 'bundled, --enable-source-maps': bundled, 'SDK external': external, libraries, floor },
        row: {
          fn,
          contents: contentsOf(metafile as Metafile),
          bundled: sizes(bundled),
          external: sizes(external),
          floor: sizes(floor),
          libraries: sizes(libraries),
          librariesExternal: sizes(librariesExternal),
          sdkImports,
          libraryImports,
        },
      });
    }
    const variants: Variant[] = ['bundled', 'bundled, --enable-source-maps', 'SDK external', 'libraries', 'floor'];
    const probes = new Map<string, Probe[]>();
    log(`module init: ${runs} fresh node processes per bundle and variant (after one unmeasured run each)`);
    for (let run = 0; run <= runs; run += 1) {
      for (const { fn, files } of built) {
        for (const variant of variants) {
          const result = await probe(probeFile, files[variant], fn.event, variant === 'bundled, --enable-source-maps');
          if (run === 0) continue;
          const key = `${fn.name}/${variant}`;
          probes.set(key, [...(probes.get(key) ?? []), result]);
        }
      }
      if (run > 0 && (run === runs || run % Math.max(1, Math.ceil(runs / 4)) === 0)) log(`  init runs: ${run}/${runs}`);
    }
    return built.map(({ fn, row }) => ({
      ...row,
      probes: Object.fromEntries(variants.map((variant) => [variant, probes.get(`${fn.name}/${variant}`) ?? []])) as Record<Variant, Probe[]>,
    }));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const kib = (bytes: number) => fmt(bytes / 1024, 0);

export function coldStartTables(rows: readonly ColdStartRow[], runs: number): Table[] {
  const sizeTable: Table = {
    title: '3a. Lambda bundles as CDK builds them (esbuild, minified ESM, node22), in KiB',
    headers: ['function', 'entry', 'index.mjs', '.map', 'zip ≈', 'without SDK', 'SDK share', 'floor (SDK only)', 'its packages alone, without SDK'],
    rows: rows.map(({ fn, bundled, external, floor, librariesExternal }) => [
      fn.name,
      fn.entry,
      kib(bundled.bytes),
      kib(bundled.mapBytes),
      kib(bundled.zippedBytes),
      kib(external.bytes),
      `${fmt((100 * (bundled.bytes - external.bytes)) / bundled.bytes, 0)}%`,
      kib(floor.bytes),
      kib(librariesExternal.bytes),
    ]),
    notes: [
      'without SDK: the same build with `@aws-sdk/*` external (what relying on the runtime\'s SDK would ship); zip ≈: index.mjs and its map deflated.',
      `floor: a bundle importing only the SDK names the function's own files import — ${rows.map(({ fn, sdkImports }) => `${fn.name}: ${Object.keys(sdkImports).map((pkg) => pkg.replace('@aws-sdk/', '')).join(', ')}`).join('; ')}.`,
      `its packages alone: the floor plus every other package the function's files import, imported as they import it (the names, the members read off a namespace like \`z.object\`, Tracer's \`await import\`), and no project code — ${rows.map(({ fn, libraryImports }) => `${fn.name}: ${[...new Set(libraryImports.map(({ specifier }) => packageOf(specifier)))].join(', ')}`).join('; ')}. A bundle cannot be smaller than this while it uses those packages.`,
    ],
  };
  const contentsTable: Table = {
    title: '3b. What index.mjs is made of (KiB of minified output, from esbuild\'s metafile)',
    headers: ['function', 'AWS SDK (@aws-sdk, @smithy)', 'project code (functions/, lib/bundling/)', 'largest other packages'],
    rows: rows.map(({ fn, contents }) => [
      fn.name,
      kib(contents.sdk),
      kib(contents.project),
      contents.packages
        .slice(0, 5)
        .map(([name, bytes]) => `${name} ${kib(bytes)}`)
        .join(', '),
    ]),
    notes: rows
      .filter(({ contents }) => contents.zodLocales.files > 0)
      .map(({ fn, contents }) =>
        contents.zodLocales.files > 1
          ? `${fn.name}: ${kib(contents.zodLocales.bytes)} KiB of zod is its ${contents.zodLocales.files} locale files (translated error messages; \`z.locales\` keeps them all).`
          : `${fn.name}: one zod locale (English, zod's default), ${fmt(contents.zodLocales.bytes / 1024, 1)} KiB: lib/bundling/zod.mjs leaves the other translations out.`,
      ),
  };
  const variantNote: Record<Variant, string> = {
    bundled: 'as deployed (source maps read on the first stack trace)',
    'bundled, --enable-source-maps': 'same bundle, NODE_OPTIONS=--enable-source-maps',
    'SDK external': 'SDK loaded from node_modules, like the runtime\'s',
    libraries: 'floor + its packages, no project code',
    floor: 'SDK clients only (the floor)',
  };
  const initTable: Table = {
    title: `3c. Module init in a fresh node process (median of ${runs}, ms)`,
    headers: ['function', 'variant', 'import', 'import CPU', 'CPU ÷ floor', 'first call', 'import + first call', 'process ready', 'process wall', 'first stack'],
    rows: rows.flatMap(({ fn, probes }) => {
      return (Object.keys(variantNote) as Variant[]).map((variant) => {
        const list = probes[variant];
        const pick = (key: 'importMs' | 'importCpuMs' | 'firstCallMs' | 'readyMs' | 'wallMs') => median(list.map((entry) => entry[key]));
        const stacks = list.flatMap((entry) => (entry.firstStackMs === undefined ? [] : [entry.firstStackMs]));
        // Each round probes every variant back to back: the ratio within a round cancels most of the machine's drift.
        const ratio = median(list.map((entry, round) => entry.importCpuMs / (probes.floor[round]?.importCpuMs ?? Number.NaN)));
        return [
          fn.name,
          variantNote[variant],
          fmt(pick('importMs'), 1),
          fmt(pick('importCpuMs'), 1),
          `${fmt(ratio, 2)}×`,
          fmt(pick('firstCallMs'), 1),
          fmt(median(list.map((entry) => entry.importMs + entry.firstCallMs)), 1),
          fmt(pick('readyMs'), 1),
          fmt(pick('wallMs'), 1),
          stacks.length ? fmt(median(stacks), 1) : '–',
        ];
      });
    }),
    notes: [
      'import: `await import(bundle)` (Lambda\'s init phase), wall time; import CPU: its user + system CPU time; CPU ÷ floor: the median over the rounds of import CPU over the floor\'s in the same round; first call: the first invocation with an event that needs no network (HttpHandler: GET /v1/task-types; StepsHandler: an invalid step, after the app is built; stream functions: no records; Reconciler: a scheduled run, whose first AWS call fails at once: the endpoint answers nothing) — the handlers build their SDK clients lazily, there.',
      'floor + its packages: the function\'s SDK clients and its other packages as its files import them, no project code (table 3a); its CPU ÷ floor is what those packages cost before any project code runs, so the function\'s own ratio cannot go below it.',
      'process ready: from Node\'s start to the end of the first call; process wall: spawn to exit, seen by the parent; first stack: reading the `stack` of the error the first call threw (StepsHandler), when a source map is parsed. Node here is not Lambda\'s runtime (see docs/performance.md).',
    ],
  };
  return [sizeTable, contentsTable, initTable];
}
