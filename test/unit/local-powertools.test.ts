import { jest } from '@jest/globals';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_POWERTOOLS_ENV } from '#local/powertools-env';

const SWITCHES = ['POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_TRACE_ENABLED', 'AWS_EXECUTION_ENV'] as const;

/**
 * Runs `act` with local mode's switches (plus `extra`) and none other (not the test setup's
 * POWERTOOLS_METRICS_DISABLED), then puts the variables back.
 */
function inLocalEnv<T>(act: () => T, extra: Record<string, string> = {}): T {
  const saved = Object.fromEntries(SWITCHES.map((name) => [name, process.env[name]]));
  for (const name of SWITCHES) delete process.env[name];
  Object.assign(process.env, LOCAL_POWERTOOLS_ENV, extra);
  try {
    return act();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('Powertools in local mode', () => {
  it('writes no metric line, even for a metric published at once', () => {
    // Prepare
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));

    // Act
    try {
      inLocalEnv(() => {
        const metrics = new Metrics({ namespace: 'Assent', serviceName: 'assent' });
        metrics.singleMetric().addMetric('TasksCreated', MetricUnit.Count, 1);
        metrics.addMetric('StrandedTasks', MetricUnit.Count, 0);
        metrics.publishStoredMetrics();
      });
    } finally {
      write.mockRestore();
    }

    // Assess
    expect(lines).toStrictEqual([]);
  });

  it.each([
    ['without Lambda\'s AWS_EXECUTION_ENV', {}],
    ['even where AWS_EXECUTION_ENV is set', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' }],
  ])('traces nothing %s: the SDK clients are left as they are', (_where, extra) => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const middleware = client.middlewareStack.identify();

    // Act
    const { enabled, captured } = inLocalEnv(() => {
      const tracer = new Tracer({ serviceName: 'assent' });
      return { enabled: tracer.isTracingEnabled(), captured: tracer.captureAWSv3Client(client) };
    }, extra);

    // Assess
    expect([enabled, captured === client, client.middlewareStack.identify()]).toStrictEqual([false, true, middleware]);
  });
});
