import { jest } from '@jest/globals';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from '#functions/metrics';

/** One EMF line as Powertools Metrics writes it: the metadata, then each dimension and metric by name. */
export interface EmfLine {
  readonly _aws: { readonly Timestamp: number; readonly CloudWatchMetrics: readonly { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  readonly [key: string]: unknown;
}

/** An EMF line without its timestamp: what a test compares whole. */
export const withoutTimestamp = ({ _aws: { Timestamp: _timestamp, ...aws }, ...rest }: EmfLine) => ({ _aws: aws, ...rest });

/**
 * Runs `act` with a Metrics of namespace `Assent`, service `assent`, that writes (the test setup
 * sets POWERTOOLS_METRICS_DISABLED, which Powertools reads whenever a Metrics is made, single
 * metrics included), and answers the EMF lines written to stdout meanwhile (Powertools writes
 * there, past Jest's console).
 */
export async function emfOf(act: (metrics: Metrics) => Promise<unknown>): Promise<EmfLine[]> {
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  try {
    await act(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'assent' }));
  } finally {
    write.mockRestore();
    if (disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = disabled;
  }
  return lines.map((line) => JSON.parse(line) as EmfLine);
}
