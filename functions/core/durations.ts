import * as z from 'zod';

/**
 * ISO-8601 durations of fixed length: weeks, days, hours, minutes and seconds (`P3D`, `PT12H`,
 * `P1DT6H`, `PT1.5S`). Years and months are refused: their length depends on the calendar.
 */
const DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export const DurationSchema = z
  .string()
  .refine((value) => DURATION.test(value) && durationSeconds(value) > 0, {
    error: (issue) => `must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, e.g. "P3D" or "PT12H" (got ${JSON.stringify(issue.input)})`,
  });

/** Seconds in a duration `DurationSchema` accepts; NaN for anything else. */
export function durationSeconds(duration: string): number {
  const match = DURATION.exec(duration);
  if (!match) return Number.NaN;
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number];
  return (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds;
}

/** `at` (ISO) plus a duration, as ISO. */
export const after = (at: string, duration: string): string => new Date(Date.parse(at) + durationSeconds(duration) * 1000).toISOString();
