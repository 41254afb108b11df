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
  /** When the same request may succeed: the HTTP API sends it as `Retry-After` (seconds). */
  readonly retryAfterSeconds?: number;
}

export abstract class ClientError extends Error {
  abstract readonly status: number;
  /** Short kebab-case slug; the problem type URI is `https://assent.dev/problems/<type>`. */
  abstract readonly type: string;
  abstract readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly retryAfterSeconds: number | undefined;

  constructor(detail: string, options: ClientErrorOptions = {}) {
    super(detail, { cause: options.cause });
    this.name = new.target.name;
    this.extensions = options.extensions ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
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

/** This person voted at this level already: the message says when and how. */
export class AlreadyVotedError extends ClientError {
  readonly status = 409;
  readonly type = 'already-voted';
  readonly title = 'You have already voted at this level';
}

/** The caller is not one of the approvers the open level waits for (or handed their vote over). */
export class NotAnApproverError extends ClientError {
  readonly status = 403;
  readonly type = 'not-an-approver';
  readonly title = 'You are not an approver of this level';
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
  constructor(detail: string, retryAfterSeconds: number) {
    super(detail, { extensions: { retryAfterSeconds }, retryAfterSeconds });
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

// The errors that are not the client's: answered 503 (TransientError) or a generic 500.
export * from './server-errors.ts';
