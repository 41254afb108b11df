/**
 * An error answered over the Step Functions API: HTTP `status` with body
 * `{"__type": code, "message": message}` and header `x-amzn-errortype: code`.
 */
export class SfnApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'SfnApiError';
    this.code = code;
    this.status = status;
  }
}

/**
 * A Task state failure as the state machine sees it: `name` is the error matched by Retry/Catch
 * (`ErrorEquals`), `message` becomes the `Cause`.
 */
export class TaskFailureError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** Rejects a pending wait when the runner shuts down (the execution stays RUNNING on disk). */
export class RunnerClosedError extends Error {
  constructor() {
    super('The local Step Functions runner was closed');
    this.name = 'RunnerClosedError';
  }
}

/** The Lambda integration's failure: error = the thrown error's name, Cause = `{errorType, errorMessage}` JSON. */
export function lambdaFailure(thrown: unknown): TaskFailureError {
  const errorType = thrown instanceof Error ? thrown.name : 'Error';
  const errorMessage = thrown instanceof Error ? thrown.message : String(thrown);
  return new TaskFailureError(errorType, JSON.stringify({ errorType, errorMessage }));
}

/** `InvalidArn`: the ARN is malformed. */
export const invalidArn = (arn: unknown): SfnApiError => new SfnApiError('InvalidArn', `Invalid Arn: '${String(arn)}'`);

/** `ExecutionDoesNotExist`: a well-formed ARN this runner never started. */
export const executionDoesNotExist = (arn: string): SfnApiError =>
  new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);

/** `InvalidToken`: a task token this runner never minted. */
export const invalidToken = (): SfnApiError => new SfnApiError('InvalidToken', "Invalid Token: 'Unable to decrypt token'");

/** `TaskTimedOut`: the token expired, or its task or execution is already closed (AWS's answer for all of these). */
export const taskTimedOut = (): SfnApiError => new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");

/** `ValidationException`: a required parameter is missing or mistyped. */
export const validationError = (message: string): SfnApiError => new SfnApiError('ValidationException', message);

/** Thrown inside a state override whose execution was stopped or finished meanwhile: the library run is discarded. */
export class DetachedRunError extends Error {
  constructor() {
    super('The execution is no longer running');
    this.name = 'DetachedRunError';
  }
}
