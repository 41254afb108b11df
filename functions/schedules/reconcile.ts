/**
 * The reconciler's Lambda: an EventBridge schedule on AWS (lib/constructs/task-recovery.ts), a
 * timer in local mode (local/start.ts), the same code. Finds open tasks whose execution never
 * started (starts it), approved ones whose execution was never told (resumes it), or ended behind
 * their back (fails them, telling the operators), runs the approval policies' schedule (reminders,
 * deadlines, escalations), and logs
 * and records the counts (`GET /v1/status` → `stranded`). It also publishes them as the metric
 * `Assent/StrandedTasks` (an EMF log line), which the operators' alarm watches; local mode sets
 * POWERTOOLS_METRICS_DISABLED, so there it writes none.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import * as z from 'zod';
import type { Core } from '#core/facades';
import type { ReconcileCounts } from '#core/reconcile';
import { getApp } from '../app.ts';
import { logger } from '../logger.ts';
import { METRICS_NAMESPACE, metrics } from '../metrics.ts';

/** The schedule's fixed input: how long a task must be unchanged before it is checked. */
export const ReconcileEventSchema = z.object({ graceSeconds: z.number().int().min(0).optional() });
export type ReconcileEvent = z.infer<typeof ReconcileEventSchema>;

export { METRICS_NAMESPACE };
/** Tasks a run found stranded (started + resumed + failed): more than 0 means executions are lost somewhere. */
export const STRANDED_TASKS_METRIC = 'StrandedTasks';

/** Where a run's metrics go: Powertools Metrics, which writes them as one EMF line. */
export interface ReconcileMetrics {
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
  publishStoredMetrics(): unknown;
}

/**
 * One run: reconciles, logs the counts and, given `sink`, publishes the stranded ones (published
 * even when 0, so the alarm sees every run).
 */
export async function runReconcile(event: unknown, core: { readonly schedules: Pick<Core['schedules'], 'reconcile'> }, sink?: ReconcileMetrics): Promise<ReconcileCounts> {
  const { graceSeconds } = ReconcileEventSchema.parse(event ?? {});
  const counts = await core.schedules.reconcile(graceSeconds === undefined ? {} : { graceSeconds });
  logger.info('Reconciled open tasks', { ...counts });
  if (sink) {
    sink.addMetric(STRANDED_TASKS_METRIC, MetricUnit.Count, counts.started + counts.resumed + counts.failed);
    sink.publishStoredMetrics();
  }
  return counts;
}

export const handler = middy<unknown, ReconcileCounts>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => runReconcile(event, getApp('reconcile').core, metrics));
