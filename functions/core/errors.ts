/**
 * The one error hierarchy. Client errors carry an HTTP status, a problem `type` slug and a message
 * that is safe to show; anything else is answered as a generic 500 by the HTTP error middleware,
 * which logs the cause. Adapters translate SDK exceptions into these.
 */

/** One field-level problem, with the path of the offending field (`data.email`, `password`). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface ClientErrorOptions {
  readonly cause?: unknown;
  /** Extra members for the problem document (RFC 9457 extension members). */
  readonly extensions?: Record<string, unknown>;
}

export abstract class ClientError extends Error {
  abstract readonly status: number;
  /** Short kebab-case slug; the problem type URI is `https://assent.dev/problems/<type>`. */
  abstract readonly type: string;
  abstract readonly title: string;
  readonly extensions: Record<string, unknown>;

  constructor(detail: string, options: ClientErrorOptions = {}) {
    super(detail, { cause: options.cause });
    this.name = new.target.name;
    this.extensions = options.extensions ?? {};
  }
}

export class ValidationError extends ClientError {
  readonly status = 400;
  readonly type = 'validation-failed';
  readonly title = 'The request is not valid';
  constructor(
    readonly errors: readonly FieldError[],
    detail = 'Some fields are not valid; see errors[] for each one.',
  ) {
    super(detail);
  }
}

export class BadRequestError extends ClientError {
  readonly status = 400;
  readonly type = 'bad-request';
  readonly title = 'The request cannot be read';
}

export class UnauthorizedError extends ClientError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Authentication is required';
}

export class ForbiddenError extends ClientError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends ClientError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not found';
}

/** The task ended and was archived (TTL): it is no longer in the table, but in the archive. */
export class TaskArchivedError extends ClientError {
  readonly status = 404;
  readonly type = 'archived';
  readonly title = 'The task was archived';
}

export class MethodNotAllowedError extends ClientError {
  readonly status = 405;
  readonly type = 'method-not-allowed';
  readonly title = 'Method not allowed';
}

export class NotAcceptableError extends ClientError {
  readonly status = 406;
  readonly type = 'not-acceptable';
  readonly title = 'Not acceptable';
}

/** The task is not in a state that allows the operation (approved already, cancelled, ...). */
export class InvalidTransitionError extends ClientError {
  readonly status = 409;
  readonly type = 'invalid-state';
  readonly title = 'The task is not in a state that allows this';
}

/** Someone else decided first: the message says who and when. */
export class TaskAlreadyDecidedError extends ClientError {
  readonly status = 409;
  readonly type = 'already-decided';
  readonly title = 'The task has already been decided';
}

/** An action of the task is invalid, so it cannot be approved until its data is updated. */
export class InvalidTaskError extends ClientError {
  readonly status = 409;
  readonly type = 'task-invalid';
  readonly title = 'The task has invalid actions';
}

export class DuplicateTaskError extends ClientError {
  readonly status = 409;
  readonly type = 'duplicate-task';
  readonly title = 'An identical task is already open';
}

/** The write lost a race with another writer; reload and decide again. */
export class ConcurrentUpdateError extends ClientError {
  readonly status = 409;
  readonly type = 'concurrent-update';
  readonly title = 'The task changed while this request was being handled';
}

/** The client's `If-Match` names a version the task is no longer at. */
export class PreconditionFailedError extends ClientError {
  readonly status = 412;
  readonly type = 'precondition-failed';
  readonly title = 'The task is not at the version given in If-Match';
}

/** An `Idempotency-Key` reused with a different request body. */
export class IdempotencyConflictError extends ClientError {
  readonly status = 422;
  readonly type = 'idempotency-key-reused';
  readonly title = 'The Idempotency-Key was used for another request';
}

/** A token or approval link that has expired. */
export class SecretExpiredError extends ClientError {
  readonly status = 410;
  readonly type = 'expired';
  readonly title = 'This link has expired';
}

/** Too many requests from one address or client in a window (a task type's `limits`): `Retry-After` says when. */
export class TooManyRequestsError extends ClientError {
  readonly status = 429;
  readonly type = 'too-many-requests';
  readonly title = 'Too many requests';
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail, { extensions: { retryAfterSeconds } });
  }
}

export class PayloadTooLargeError extends ClientError {
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'The request body is too large';
}

export class UnsupportedMediaTypeError extends ClientError {
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'Unsupported content type';
}

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
