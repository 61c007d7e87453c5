import type { Clock, OnlineSignal } from '../types/runtime.ts';

/** The real clock. Timers are `unref`'d where the platform can, so a pending retry never keeps Node alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = globalThis.setTimeout(fn, ms) as unknown as { unref?: () => void };
    handle.unref?.();
    return handle;
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]);
  },
};

export const alwaysOnline: OnlineSignal = {
  isOnline: () => true,
  subscribe: () => () => {},
};
