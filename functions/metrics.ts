import { Metrics } from '@aws-lambda-powertools/metrics';

/** The CloudWatch namespace of Assent's metrics. */
export const METRICS_NAMESPACE = 'Assent';

/**
 * One Powertools Metrics per process, dimension `service` = POWERTOOLS_SERVICE_NAME: EMF lines on
 * stdout, which CloudWatch turns into metrics from Lambda logs. `POWERTOOLS_METRICS_DISABLED=true`
 * (local/start.ts sets it) writes none: read when an instance is made, so set before this loads.
 */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
