import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Whether Powertools Tracer traces in this environment, by its own rule (Tracer's
 * `setTracingEnabled`): not with `POWERTOOLS_TRACE_ENABLED=false`, and only in Lambda
 * (`AWS_EXECUTION_ENV` set, and not Amplify's mock or `sam local`).
 */
export function tracesIn(env: NodeJS.ProcessEnv): boolean {
  if ((env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() === 'false') return false;
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && (env.AWS_SAM_LOCAL ?? '') === '';
}

/**
 * Where tracing is off: what Tracer itself does then (nothing; SDK clients left as they are),
 * without loading the X-Ray SDK, whose import installs cls-hooked's async hook on every promise of
 * the process (aws/aws-xray-sdk-node#420) even when nothing is traced. Powertools'
 * captureLambdaHandler calls nothing else once `isTracingEnabled()` is false.
 */
const notTracing = {
  isTracingEnabled: () => false,
  putAnnotation: () => undefined,
  captureAWSv3Client: <T>(client: T): T => client,
} satisfies Partial<Tracer>;

/**
 * Powertools Tracer of the traced functions (HTTP and steps): X-Ray subsegments of their SDK calls
 * and of outgoing HTTPS (the JWKS fetch), annotations `taskId` and `taskType`. Imported only by
 * their handlers, so the other bundles stay without the X-Ray SDK. Where Tracer would trace nothing
 * (outside Lambda; `POWERTOOLS_TRACE_ENABLED=false`, which local/start.ts sets) it is not loaded at
 * all: `notTracing` stands in, and nothing is printed.
 */
export const tracer: Tracer = tracesIn(process.env)
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'assent' })
  : (notTracing as unknown as Tracer);
