/**
 * `aws-local-stepfunctions` calls `Promise.withResolvers` (ES2024) for every Task state's timeout.
 * Node 20 lacks it: the call throws a TypeError inside the state, which a `States.ALL` Catch then
 * swallows, so the execution "fails" without saying why. Installing this polyfill avoids that.
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseWithResolvers = { withResolvers?: <T>() => Resolvers<T> };

function withResolvers<T>(): Resolvers<T> {
  let resolve!: Resolvers<T>['resolve'];
  let reject!: Resolvers<T>['reject'];
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Installs `Promise.withResolvers` when the runtime lacks it (Node < 22). Idempotent. */
export function installPromiseWithResolvers(): void {
  const target = Promise as unknown as PromiseWithResolvers;
  if (typeof target.withResolvers !== 'function') {
    Object.defineProperty(Promise, 'withResolvers', { value: withResolvers, writable: true, configurable: true });
  }
}
