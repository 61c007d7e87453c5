import type { Clock } from '../types/runtime.ts';

/** Most writes one burst holds back before sending starts anyway (a clock that never moves included). */
export const BURST_MAX_ENTRIES = 1_000;

/**
 * "Accepts first": tells a burst of writes from a write in a quiet moment. A write is back to back when
 * another `write()` is still in progress, or when sending is under way and the previous write ended less
 * than a full timer turn ago (`clock.setTimeout(fn, 0)`: an app that awaits each write and yields once
 * between them is still writing). While a burst holds, new writes are persisted `queued` and the
 * scheduler starts no new attempt; the hold ends when a timer turn passes with no write in progress and
 * none ended since, or `holdMs` after it began, or after `BURST_MAX_ENTRIES` writes — whichever comes
 * first — and `release` is called (the scheduler pumps). `holdMs` 0: never holds.
 */
export class Burst {
  readonly #clock: Clock;
  readonly #holdMs: number;
  readonly #release: () => void;
  #writing = 0;
  #ended = false;
  #timer: unknown;
  #watching = false;
  #since = Number.NaN;
  #count = 0;

  constructor(clock: Clock, holdMs: number, release: () => void) {
    this.#clock = clock;
    this.#holdMs = holdMs;
    this.#release = release;
  }

  get holding(): boolean {
    return !Number.isNaN(this.#since);
  }

  /** A write begins (`sending`: attempts are under way); true when it must be persisted `queued` and held. */
  begin(sending: boolean): boolean {
    if (this.#holdMs <= 0) return false;
    if (!this.holding && (this.#writing > 0 || (this.#watching && sending))) {
      this.#since = this.#clock.now();
      this.#count = 0;
    }
    this.#writing++;
    this.#watch();
    return this.holding;
  }

  /** The write begun last ended (accepted or not). */
  end(): void {
    if (this.#holdMs <= 0) return;
    this.#writing--;
    this.#ended = true;
    if (this.holding) this.#count++;
    this.#checkBound();
  }

  /** Ends a hold now (a flush, or the bound); later back-to-back writes begin a new one. */
  stop(): void {
    if (!this.holding) return;
    this.#since = Number.NaN;
    this.#release();
  }

  close(): void {
    this.#since = Number.NaN;
    if (this.#watching) this.#clock.clearTimeout(this.#timer);
    this.#watching = false;
  }

  #checkBound(): void {
    if (this.holding && (this.#count >= BURST_MAX_ENTRIES || this.#clock.now() - this.#since >= this.#holdMs))
      this.stop();
  }

  #watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    this.#ended = false;
    this.#timer = this.#clock.setTimeout(() => {
      this.#watching = false;
      if (this.#writing > 0 || this.#ended) {
        this.#watch();
        this.#checkBound();
      } else this.stop();
    }, 0);
  }
}
