/**
 * Published AWS prices (us-east-1, on-demand, no free tier) used to price a task, and the Lambda
 * memory CDK configures. Prices change: the date they were taken is printed with every table.
 */
import { readFileSync } from 'node:fs';

export const PRICES_AS_OF = '2026-11 (us-east-1 list prices; not re-checked online by the benchmark)';

export const PRICES = {
  /** Step Functions Standard, per state transition ($0.025 per 1,000). */
  stateTransition: 0.025 / 1000,
  /** Lambda, per request ($0.20 per 1M). */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda on arm64 (what CDK deploys), per GB-second ($0.0000133334; x86_64 is $0.0000166667). */
  lambdaGbSecondArm: 0.0000133334,
  /** DynamoDB on-demand, per write request unit ($0.625 per 1M since the November 2024 price cut). */
  writeRequestUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit ($0.125 per 1M). */
  readRequestUnit: 0.125 / 1e6,
  /** SES, per email ($0.10 per 1,000). */
  email: 0.1 / 1000,
  /** EventBridge, per custom event put ($1.00 per 1M). */
  event: 1 / 1e6,
  /** API Gateway HTTP API, per request up to 512 KB ($1.00 per 1M, first 300M a month). */
  httpApiRequest: 1 / 1e6,
} as const;

/**
 * The memory of the functions CDK builds: HandlerFunction's default (lib/constructs/handler-function.ts),
 * unless a construct overrides `memorySize` (then this says so and the benchmark should be updated).
 */
export function configuredMemoryMb(projectRoot: string): { memoryMb: number; note: string } {
  const construct = readFileSync(`${projectRoot}/lib/constructs/handler-function.ts`, 'utf8');
  const memoryMb = Number(/memorySize \?\? (\d+)/.exec(construct)?.[1] ?? 512);
  const overridden = ['lib/assent-stack.ts', 'lib/constructs/archive.ts'].filter((file) => /\bmemorySize:/.test(readFileSync(`${projectRoot}/${file}`, 'utf8')));
  return {
    memoryMb,
    note: overridden.length ? `memorySize is overridden in ${overridden.join(', ')}: check the figure` : `HandlerFunction default, not overridden in lib/`,
  };
}

/** What one task uses, on average. */
export interface TaskUsage {
  readonly transitions: number;
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly emails: number;
  readonly events: number;
  readonly apiRequests: number;
}

/** Dollars per task, by service. */
export function priceOf(usage: TaskUsage): Record<'stepFunctions' | 'lambda' | 'dynamodb' | 'ses' | 'eventBridge' | 'apiGateway' | 'total', number> {
  const stepFunctions = usage.transitions * PRICES.stateTransition;
  const lambda = usage.lambdaInvocations * PRICES.lambdaRequest + usage.lambdaGbSeconds * PRICES.lambdaGbSecondArm;
  const dynamodb = usage.writeUnits * PRICES.writeRequestUnit + usage.readUnits * PRICES.readRequestUnit;
  const ses = usage.emails * PRICES.email;
  const eventBridge = usage.events * PRICES.event;
  const apiGateway = usage.apiRequests * PRICES.httpApiRequest;
  return { stepFunctions, lambda, dynamodb, ses, eventBridge, apiGateway, total: stepFunctions + lambda + dynamodb + ses + eventBridge + apiGateway };
}
