import { TransientError } from '#core/errors';

/** AWS error names (codes) of throttling and of faults worth retrying, whatever the service. */
const TRANSIENT_NAMES = new Set([
  // Throttling
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
  'TransactionConflictException',
  // Service faults
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'InternalServerException',
  // Timeouts: the SDK's own (connect, request, socket idle) and the services' `RequestTimeout`
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/**
 * Node network error codes of a connection refused, reset or timed out, or a name that did not
 * resolve for now; the SDK retries these itself, so when one reaches an adapter it lasted.
 */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Cancellation reasons of a DynamoDB transaction that mean "try again", not "refused". */
const TRANSIENT_CANCELLATIONS = new Set(['ThrottlingError', 'TransactionConflict', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
const REFUSED_CANCELLATIONS = new Set(['ConditionalCheckFailed', 'ValidationError', 'ItemCollectionSizeLimitExceeded', 'DuplicateItem']);

type SdkError = {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly CancellationReasons?: readonly { readonly Code?: string }[];
};

/** The AWS error name of an SDK exception, or undefined for anything else. */
export const awsErrorName = (error: unknown): string | undefined =>
  error instanceof Error && typeof (error as { $metadata?: unknown }).$metadata === 'object' ? error.name : undefined;

/**
 * What the SDK throws for a thrown value it does not take for an Error: `new Error('AWS SDK error
 * wrapper for ' + value)`, which keeps only the value's `name: message`. A network error from
 * another realm (a VM context, as under Jest) arrives so: its name and code survive only in the text.
 */
const SDK_WRAPPER = /^AWS SDK error wrapper for ([\w.]+): (.*)$/s;
/** A Node error code inside a message: `connect ECONNREFUSED 127.0.0.1:8000`, `read ECONNRESET`. */
const CODE_IN_MESSAGE = /\b(E[A-Z]{3,})\b/;

/** The name, code and message of an error, duck-typed (errors of another realm are not `instanceof Error`), unwrapped from the SDK's wrapper. */
function partsOf(error: SdkError): { name: string; code: string | undefined; message: string } {
  const name = typeof error.name === 'string' ? error.name : '';
  const message = typeof error.message === 'string' ? error.message : '';
  const wrapped = SDK_WRAPPER.exec(message);
  if (wrapped) return { name: wrapped[1] as string, code: CODE_IN_MESSAGE.exec(wrapped[2] as string)?.[1], message: wrapped[2] as string };
  return { name, code: typeof error.code === 'string' ? error.code : undefined, message };
}

/**
 * Why an error from an SDK call is worth retrying, or undefined when it is not: throttling, a
 * service fault (`$fault: 'server'`, HTTP 5xx or 429), a timeout (connect, request or socket), a
 * connection refused or reset ("socket hang up" is ECONNRESET), or a transaction cancelled only by
 * throttling or a conflict.
 */
export function transientReason(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { $fault, $retryable, $metadata, CancellationReasons } = error as SdkError;
  const { name, code, message } = partsOf(error as SdkError);
  if (TRANSIENT_NAMES.has(name)) return name;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return code;
  if (/^socket hang up$/i.test(message)) return 'socket hang up';
  if ($retryable?.throttling === true) return `${name} (throttling)`;
  const status = $metadata?.httpStatusCode;
  if ($fault === 'server' || (typeof status === 'number' && (status >= 500 || status === 429))) return `${name} (HTTP ${status ?? 'server fault'})`;
  if (name === 'TransactionCanceledException' && Array.isArray(CancellationReasons)) {
    const codes = CancellationReasons.map((reason) => reason.Code ?? 'None');
    if (codes.some((reason) => TRANSIENT_CANCELLATIONS.has(reason)) && !codes.some((reason) => REFUSED_CANCELLATIONS.has(reason))) {
      return `${name} (${codes.join(', ')})`;
    }
  }
  return undefined;
}

/**
 * Throttling, service faults, timeouts and refused or reset connections become `TransientError`
 * (retried by the state machine, 503 with Retry-After on HTTP); anything else is rethrown as it is.
 */
export function rethrowAws(error: unknown, what: string): never {
  const reason = transientReason(error);
  if (reason) throw new TransientError(`${what}: ${reason}`, { cause: error });
  throw error;
}

/** A conditional write that lost: the item was not in the state the write required. */
export const isConditionalCheckFailure = (error: unknown): boolean => awsErrorName(error) === 'ConditionalCheckFailedException' || (error as Error)?.name === 'ConditionalCheckFailedException';

/**
 * Sends a conditional write: true when it applied, false when its condition failed (the item was not
 * in the state it required); transient faults become `TransientError`.
 */
export async function sendConditional(send: () => Promise<unknown>, what: string): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (isConditionalCheckFailure(error)) return false;
    rethrowAws(error, what);
  }
}
