import { TransientError } from '#core/errors';

const TRANSIENT = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'Throttling',
  'ServiceUnavailable',
  'InternalServerError',
  'InternalFailure',
  'TimeoutError',
]);

/** The AWS error name of an SDK exception, or undefined for anything else. */
export const awsErrorName = (error: unknown): string | undefined =>
  error instanceof Error && typeof (error as { $metadata?: unknown }).$metadata === 'object' ? error.name : undefined;

/** Throttling and service faults become `TransientError` (retried by the state machine, 503 on HTTP). */
export function rethrowAws(error: unknown, what: string): never {
  const name = awsErrorName(error);
  if (name && TRANSIENT.has(name)) throw new TransientError(`${what}: ${name}`, { cause: error });
  throw error;
}

/** A conditional write that lost: the item was not in the state the write required. */
export const isConditionalCheckFailure = (error: unknown): boolean => awsErrorName(error) === 'ConditionalCheckFailedException' || (error as Error)?.name === 'ConditionalCheckFailedException';

/**
 * Sends a conditional write: true when it applied, false when its condition failed (the item was not
 * in the state it required); throttling and service faults become `TransientError`.
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
