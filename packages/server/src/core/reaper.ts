/**
 * The reaper: drops stored bodies past retention and tombstones past their time, on the injected
 * timers, started by the first request (so a core built and never used holds no timer).
 */
import type { Settings } from './options.ts';

export interface Reaper {
  /** Starts the timer, once (not when `reapIntervalMs` is 0). */
  start(): void;
  stop(): void;
  reap(): Promise<{ reaped: number; purged: number }>;
}

export function createReaper<Tx>(settings: Settings<Tx>): Reaper {
  const { store, now, graceMs, reapIntervalMs, timers } = settings;
  let handle: unknown;
  const reap = () => store.reap(now(), graceMs);
  return {
    start() {
      if (handle !== undefined || reapIntervalMs <= 0) return;
      handle = timers.setInterval(() => void reap().catch(() => {}), reapIntervalMs);
      // Node and Bun: the reaper alone must not keep the process alive.
      (handle as { unref?: () => void }).unref?.();
    },
    stop() {
      if (handle !== undefined) timers.clearInterval(handle as never);
      handle = undefined;
    },
    reap,
  };
}
