import type { Leadership } from '@landed/client';

/**
 * One lock for every instance on a store, as Web Locks gives the tabs of an origin: the next
 * `acquire` resolves when the holder releases.
 */
export function sharedLock(): Leadership {
  let tail = Promise.resolve();
  return {
    acquire() {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const granted = tail.then(() => ({ release: async () => release() }));
      tail = tail.then(() => released);
      return granted;
    },
  };
}
