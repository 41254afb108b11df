/**
 * Connect and request timeouts of the SDK clients, per service, in milliseconds. Without them the
 * Node handler waits on a dead connection until the Lambda itself times out (the SDK's defaults are
 * no connect timeout and no request timeout), so the step fails as `Sandbox.Timedout` and an HTTP
 * caller gets API Gateway's bare error instead of our 503. With them a hung call fails as the SDK's
 * `TimeoutError`, is retried by the SDK (3 attempts in all, with backoff) and then surfaces as a
 * `TransientError` (aws-errors.ts): 503 with Retry-After on HTTP, a retry with backoff in the state
 * machine.
 *
 * The values suit Lambda: a connect on AWS's network takes milliseconds, so 1 s means the endpoint
 * is unreachable; a request to these services answers in tens of milliseconds, so 5 s means it hung.
 * Three attempts of 5 s stay well inside the HTTP function's 29 s and the steps' 60 s.
 * S3 for the archiver gets longer requests (each object holds a whole stream batch of TTL-deleted
 * items), within its 60 s; the API only reads small index objects from S3.
 */
export interface SdkTimeouts {
  /** Abandon a connection attempt after this long. */
  readonly connectionTimeout: number;
  /** Abandon one attempt (request and response) after this long. */
  readonly requestTimeout: number;
}

export const SDK_TIMEOUTS = {
  dynamodb: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  sfn: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  ses: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  eventBridge: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  s3: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  cognito: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  s3Archive: { connectionTimeout: 1_000, requestTimeout: 15_000 },
} as const satisfies Record<string, SdkTimeouts>;

/**
 * The `requestHandler` option of an SDK client (the Node handler's constructor options) with these
 * timeouts. `throwOnRequestTimeout` makes a request past its `requestTimeout` fail: since
 * @smithy/node-http-handler 4.4 it only logs a warning otherwise.
 */
export const requestHandlerOf = (timeouts: SdkTimeouts) => ({
  connectionTimeout: timeouts.connectionTimeout,
  requestTimeout: timeouts.requestTimeout,
  throwOnRequestTimeout: true,
});
