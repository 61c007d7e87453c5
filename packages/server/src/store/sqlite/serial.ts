/**
 * A FIFO lock for one connection: a synchronous SQLite connection shared by concurrent async requests
 * must never run a claim inside another request's open transaction.
 */
export interface Serial {
  run<T>(fn: () => Promise<T> | T): Promise<T>;
}

export function createSerial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T> | T): Promise<T> {
      const result = tail.then(fn);
      tail = result.catch(() => {});
      return result;
    },
  };
}
