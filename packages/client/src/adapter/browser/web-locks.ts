import type { Leadership, Lease } from '../../types/store.ts';

export interface WebLocksLeadershipOptions {
  /** Lock name: every tab of the same outbox must use the same one. @default 'landed:outbox' */
  name?: string;
  /** @default globalThis.navigator.locks */
  locks?: LockManager;
}

/**
 * One sender per origin: the tab holding the Web Lock sends, the others wait in the lock's queue.
 * The browser releases the lock when the tab closes, crashes or navigates away, so the next tab in the
 * queue takes over without any timeout or heartbeat. Where Web Locks are missing (an insecure
 * context), every tab leads: still safe, because every attempt carries the entry's idempotency key
 * and the server answers a duplicate with 409 or its stored response.
 */
export function webLocksLeadership(options: WebLocksLeadershipOptions = {}): Leadership {
  const name = options.name ?? 'landed:outbox';
  return {
    acquire(signal) {
      const locks = options.locks ?? globalThis.navigator?.locks;
      if (!locks) return Promise.resolve({ release: async () => {} });
      return new Promise<Lease>((resolve, reject) => {
        let letGo: () => void = () => {};
        const held = new Promise<void>((release) => {
          letGo = release;
        });
        const request = locks.request(name, signal ? { signal } : {}, async function holdOutboxLock() {
          let released: Promise<unknown> | undefined;
          resolve({
            release() {
              letGo();
              released ??= request.catch(() => {});
              return released.then(() => {});
            },
          });
          await held;
        });
        request.catch(reject);
      });
    },
  };
}
