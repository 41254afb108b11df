import * as z from 'zod';

/** What one reconcile run found: open tasks checked, stranded ones it started, resumed (approved, execution not told) or failed. */
export const ReconcileReportSchema = z.object({
  /** When the run ended (ISO 8601). */
  at: z.string(),
  checked: z.number().int(),
  started: z.number().int(),
  /** Reports saved before this count existed have none. */
  resumed: z.number().int().default(0),
  failed: z.number().int(),
  /** The approval schedule (reports saved before it existed have none of these): reminders sent, */
  reminded: z.number().int().default(0),
  /** deadlines escalated, */
  escalated: z.number().int().default(0),
  /** tasks rejected or cancelled at their deadline, */
  deadlineEnded: z.number().int().default(0),
  /** and open levels whose emails were lost (a crash between), sent again. */
  remailed: z.number().int().default(0),
});
export type ReconcileReport = z.infer<typeof ReconcileReportSchema>;

/** The last reconcile run's counts, one small item (`/v1/status` shows them). */
export interface ReconcileReports {
  /** Replaces the last report. */
  save(report: ReconcileReport): Promise<void>;
  /** The last report, or undefined if the reconciler never ran. */
  latest(): Promise<ReconcileReport | undefined>;
}
