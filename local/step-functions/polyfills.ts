/**
 * aws-local-stepfunctions 3 calls `Promise.withResolvers` (ES2024) in every Task state. Node 22 has it;
 * Node 20 does not, and every Task would fail with "Promise.withResolvers is not a function".
 * Importing this module first installs a spec-equivalent polyfill when it is missing.
 */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseConstructor = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };

if (typeof promiseConstructor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve'];
      let reject!: Resolvers<T>['reject'];
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/** Typed access to `Promise.withResolvers` (the project's `lib` is ES2023, which does not declare it). */
export function withResolvers<T>(): Resolvers<T> {
  return (promiseConstructor as Required<typeof promiseConstructor>).withResolvers<T>();
}
