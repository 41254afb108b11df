/**
 * The reconciler's Lambda: an EventBridge schedule on AWS (lib/constructs/task-recovery.ts), a
 * timer in local mode (local/start.ts), the same code. Finds open tasks whose execution never
 * started (starts it) or ended behind their back (fails them, telling the operators), and logs
 * and records the counts (`GET /v1/status` → `stranded`).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import type { Core } from '#core/facades';
import type { ReconcileCounts } from '#core/reconcile';
import { getApp } from '../app.ts';
import { logger } from '../logger.ts';

/** The schedule's fixed input: how long a task must be unchanged before it is checked. */
export const ReconcileEventSchema = z.object({ graceSeconds: z.number().int().min(0).optional() });
export type ReconcileEvent = z.infer<typeof ReconcileEventSchema>;

export async function runReconcile(event: unknown, core: Pick<Core, 'schedules'>): Promise<ReconcileCounts> {
  const { graceSeconds } = ReconcileEventSchema.parse(event ?? {});
  const counts = await core.schedules.reconcile(graceSeconds === undefined ? {} : { graceSeconds });
  logger.info('Reconciled open tasks', { ...counts });
  return counts;
}

export const handler = middy<unknown, ReconcileCounts>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => runReconcile(event, getApp('reconcile').core));
