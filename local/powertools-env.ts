/**
 * Powertools' own switches for local mode, set in the handlers' environment by local/start.ts: no
 * EMF metric lines on stdout (nothing turns them into metrics here) and no X-Ray (no daemon;
 * Tracer also turns itself off without Lambda's `AWS_EXECUTION_ENV`). Both are read when a Metrics
 * or Tracer is made, so they must be set before the handlers are imported.
 */
export const LOCAL_POWERTOOLS_ENV = {
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
} as const;
