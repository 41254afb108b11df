import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools Tracer of the traced functions (HTTP and steps): X-Ray subsegments of their SDK calls
 * and of outgoing HTTPS (the JWKS fetch), annotations `taskId` and `taskType`. Imported only by
 * their handlers, so the other bundles stay without the X-Ray SDK. Off outside Lambda (no
 * `AWS_EXECUTION_ENV`) and with `POWERTOOLS_TRACE_ENABLED=false`, which local/start.ts sets: every
 * call is then a no-op, and nothing is printed.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'assent' });
