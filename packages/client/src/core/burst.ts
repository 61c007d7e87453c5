import type { Clock } from '../types/runtime.ts';

/** Most writes one burst holds back before sending starts anyway (a clock that never moves included). */
export const BURST_MAX_ENTRIES = 1_000;

export interface Burst {
  /** A write begins; true when it must be persisted `queued` and held. */
  begin(): boolean;
  /** The write begun last ended, accepted or not. */
  end(): void;
  /** Whether new attempts wait for the burst to end. */
  holding(): boolean;
}

/**
 * "Accepts first": tells a burst of writes from a write in a quiet moment. A write is back to back when
 * another `write()` is still in progress, or when attempts are under way and the previous write ended
 * less than a full timer turn ago (`clock.setTimeout(fn, 0)`: an app that awaits each write and yields
 * once between them is still writing; `sending()` tells). While a burst holds, new writes are persisted `queued` and the
 * scheduler starts no new attempt; the hold ends when a timer turn passes with no write in progress and
 * none ended since, `holdMs` after it began, or after `BURST_MAX_ENTRIES` writes — whichever comes first
 * — and `release` is called (the scheduler pumps). `holdMs` 0: never holds. A closure rather than a
 * class: it is on every page that loads the client, and its state minifies to single letters.
 */
export function burst(clock: Clock, holdMs: number, sending: () => boolean, release: () => void): Burst {
  let writing = 0;
  let ended = false;
  let watching = false;
  /** When the hold began; undefined while nothing is held. */
  let since: number | undefined;
  let count = 0;
  const stop = () => {
    if (since === undefined) return;
    since = undefined;
    release();
  };
  const bound = () => {
    if (since !== undefined && (count >= BURST_MAX_ENTRIES || clock.now() - since >= holdMs)) stop();
  };
  const watch = () => {
    if (watching) return;
    watching = true;
    ended = false;
    clock.setTimeout(() => {
      watching = false;
      if (writing > 0 || ended) {
        watch();
        bound();
      } else stop();
    }, 0);
  };
  return {
    begin() {
      if (holdMs > 0 && since === undefined && (writing > 0 || (watching && sending()))) {
        since = clock.now();
        count = 0;
      }
      writing++;
      if (holdMs > 0) watch();
      return since !== undefined;
    },
    end() {
      writing--;
      ended = true;
      if (since !== undefined) count++;
      bound();
    },
    holding: () => since !== undefined,
  };
}
