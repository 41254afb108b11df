/**
 * Reads a V8 CPU profile of the local stack's process (taken with bench/profiler.mjs during
 * benchmark 1) and says which component the CPU time went to. Each sample is charged to the
 * innermost frame that belongs to a file of the project or of a package (Node's own internals —
 * sockets, streams, fs, crypto — are charged to whoever called them).
 */
import { readFileSync } from 'node:fs';
import { fmt, type Table } from './table.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const PACKAGE_COMPONENTS: readonly (readonly [RegExp, string])[] = [
  [/^@aws-sdk\/|^@smithy\/|^@aws-crypto\//, 'AWS SDK v3 (serialising, signing, HTTP)'],
  [/^aws-local-stepfunctions$|^jsonpath-plus$|^asl-validator$|^p-limit$|^wildcard-match$/, 'Step Functions runner'],
  [/^zod$/, 'zod (parsing)'],
  [/^jose$/, 'jose (JWT)'],
  [/^@aws-lambda-powertools\/|^@middy\//, 'Powertools logger, middy'],
  [/^ulid$/, 'handlers and engine (functions/)'],
  [/^aws-ses-v2-local$|^express$|^body-parser$|^raw-body$|^iconv-lite$|^router$|^send$|^finalhandler$|^qs$|^type-is$|^mime|^content-type$|^on-finished$|^debug$|^depd$|^mailparser$|^nodemailer$|^handlebars$|^encodeurl$|^parseurl$|^cookie$|^accepts$|^negotiator$|^fresh$|^etag$|^vary$|^statuses$|^http-errors$|^proxy-addr$|^path-to-regexp$|^media-typer$|^bytes$|^unpipe$|^ee-first$|^merge-descriptors$|^serve-static$/, 'SES emulator (express)'],
  [/^s3rver$|^koa|^@koa\//, 'S3 emulator (s3rver)'],
  [/^tsx$|^esbuild$|^get-tsconfig$/, 'tsx (TypeScript loader)'],
];

const PROFILER = 'the profiler itself (left out)';

const FILE_COMPONENTS: readonly (readonly [RegExp, string])[] = [
  [/\/bench\/profiler\.mjs/, PROFILER],
  [/\/local\/sfn\//, 'Step Functions runner'],
  [/\/local\/eventbridge\//, 'EventBridge emulator'],
  [/\/local\/dynamodb\//, 'stream consumer (local/dynamodb)'],
  [/\/local\/gateway\.ts/, 'gateway (HTTP → API Gateway events)'],
  [/\/local\/s3\//, 'S3 emulator (s3rver)'],
  [/\/local\/(start\.ts|jwt\.ts)/, 'gateway (HTTP → API Gateway events)'],
  [/\/local\/.*\.mjs/, 'tsx (TypeScript loader)'],
  [/\/functions\//, 'handlers and engine (functions/)'],
  [/\/lib\//, 'handlers and engine (functions/)'],
];

function componentOf(url: string): string | undefined {
  if (!url || url.startsWith('node:')) return undefined;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return PACKAGE_COMPONENTS.find(([pattern]) => pattern.test(pkg))?.[1] ?? `other package: ${pkg}`;
  return FILE_COMPONENTS.find(([pattern]) => pattern.test(url))?.[1] ?? 'other project file';
}

/** CPU milliseconds by component (idle time excluded), summed over `files`. */
export function profileBreakdown(files: readonly string[]): { total: number; components: [string, number][] } {
  const totals = new Map<string, number>();
  for (const file of files) addProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, totals);
  totals.delete('idle');
  totals.delete(PROFILER);
  const total = [...totals.values()].reduce((sum, value) => sum + value, 0);
  return { total, components: [...totals].sort((a, b) => b[1] - a[1]) };
}

function addProfile(profile: CpuProfile, totals: Map<string, number>): void {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const chargedTo = new Map<number, string>();
  const charge = (id: number): string => {
    const cached = chargedTo.get(id);
    if (cached) return cached;
    let component: string | undefined;
    for (let current: number | undefined = id; current !== undefined && !component; current = parent.get(current)) {
      component = componentOf(byId.get(current)?.callFrame.url ?? '');
    }
    const name = byId.get(id)?.callFrame.functionName ?? '';
    const result = component ?? (name === '(garbage collector)' ? 'garbage collector' : name === '(idle)' ? 'idle' : 'Node core, caller not on the stack (socket writes, microtasks)');
    chargedTo.set(id, result);
    return result;
  };
  profile.samples.forEach((id, index) => {
    const component = charge(id);
    totals.set(component, (totals.get(component) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
}

export function profileTable(breakdown: { total: number; components: [string, number][] }, tasks: number): Table {
  return {
    title: '1d. The stack process\'s CPU by component (sampling profile over the three workloads of 1b)',
    headers: ['component', 'CPU ms', 'share', 'ms per task'],
    rows: breakdown.components.map(([component, ms]) => [component, fmt(ms, 0), `${fmt((100 * ms) / breakdown.total, 1)}%`, fmt(ms / tasks, 1)]),
    notes: [`${fmt(breakdown.total, 0)} ms of CPU over ${tasks} tasks; each sample is charged to its innermost project or package frame (Node internals to their caller).`],
  };
}
