import { ClientError } from '#core/errors';

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Asserts that `attempt` fails with exactly `type` (not a subclass, not another class with the same
 * text), with `message`, and, for client errors, with the HTTP status of that class.
 */
export async function expectError(attempt: Promise<unknown>, type: ErrorClass, message: string): Promise<Error> {
  const error = await attempt.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(type);
  const failure = error as Error;
  const status = failure instanceof ClientError ? failure.status : undefined;
  const expectedStatus = failure instanceof ClientError ? (Reflect.construct(type, [message]) as ClientError).status : undefined;
  expect({ type: failure.constructor.name, status, message: failure.message }).toStrictEqual({ type: type.name, status: expectedStatus, message });
  return failure;
}
