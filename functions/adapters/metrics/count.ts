import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The business metrics (namespace `Assent`), each counted with dimension `taskType` besides `service`. */
export const TASK_METRICS = {
  /** A task was created (`task.created`). */
  created: 'TasksCreated',
  /** A task was approved or rejected, by people or by its type's rules (`task.approved`, `task.rejected`); dimension `decision`. */
  decided: 'TasksDecided',
  /** A task completed (`task.completed`). */
  completed: 'TasksCompleted',
  /** A task failed (`task.failed`). */
  failed: 'TasksFailed',
  /** SES accepted an email (one SendEmail, whatever its number of recipients); dimension `emailKind`. */
  emailsSent: 'EmailsSent',
} as const;

export type TaskMetricName = (typeof TASK_METRICS)[keyof typeof TASK_METRICS];

/**
 * Counts one, with its own dimensions, as one EMF line written at once (Powertools' `singleMetric`).
 * EMF gives every metric of a line the same dimensions, and one invocation can touch tasks of
 * several types (bulk decisions, an outbox batch, a reconciler run); written at once, a count is
 * also kept when the invocation dies after it.
 */
export function countOne(metrics: Metrics, name: TaskMetricName, dimensions: Readonly<Record<string, string>>): void {
  const single = metrics.singleMetric();
  for (const [dimension, value] of Object.entries(dimensions)) single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, 1);
}
