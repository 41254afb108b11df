/**
 * The errors of the one hierarchy (errors.ts) that are not the client's: a dependency that may
 * answer on a retry (TransientError: 503 with `Retry-After`, retried by the state machine), and bugs
 * or misconfigurations, answered as a generic 500 whose cause is logged.
 */

/**
 * A failure worth retrying: throttling, a service fault (5xx), a timeout, or a connection refused or
 * reset talking to a dependency (functions/adapters/aws-errors.ts decides which). The state machine
 * retries errors of this name with backoff; the HTTP API answers 503 with `Retry-After`.
 */
export class TransientError extends Error {
  /** What the HTTP API answers. */
  readonly status = 503;
  /** The `Retry-After` the HTTP API sends, in seconds. */
  readonly retryAfterSeconds = 2;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TransientError';
  }
}

/** An action's hook threw while a requester waited (a token submit): answered as a generic 500. */
export class ActionFailedError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ActionFailedError';
  }
}


/**
 * An action broke its contract with the engine: stored data that does not match its
 * `storedSchema`, a value recalled that was never persisted, a decision in the wrong stage, a
 * token schema it does not declare, or a preApprove that decided nothing. A bug to fix in the
 * action; the stage fails and operators are told.
 */
export class ActionContractError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ActionContractError';
  }
}

/** The execution no longer waits for what was decided (its wait timed out, or it was stopped). */
export class WaitOverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitOver';
  }
}

/** A misconfiguration found at start-up (missing env var, bad registry entry). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** An email template that cannot be parsed, or that outputs a value its context lacks (core/template.ts). */
export class TemplateError extends ConfigurationError {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}
