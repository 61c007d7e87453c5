import type { Clock } from '../types/runtime.ts';

/** `min(cap, base·2^n)` scaled by full jitter in [0.5, 1): spreads a crowd of clients after an outage. */
export function backoffDelay(retry: number, baseMs: number, capMs: number, random: () => number): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.min(retry, 30));
  return Math.round(exp * (0.5 + random() / 2));
}

/**
 * A client-wide token bucket for retries (first attempts are free): when a server is down, every
 * entry would otherwise retry on its own schedule and an outage becomes a retry storm.
 */
export class RetryBudget {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;

  constructor(capacity: number, refillPerSec: number, clock: Clock) {
    this.#capacity = capacity;
    this.#refillPerMs = refillPerSec / 1000;
    this.#clock = clock;
    this.#tokens = capacity;
    this.#at = clock.now();
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#at) * this.#refillPerMs);
    this.#at = now;
  }

  /** Takes one token if there is one. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 when one is). */
  waitMs(): number {
    this.#refill();
    if (this.#tokens >= 1) return 0;
    return this.#refillPerMs > 0
      ? Math.ceil((1 - this.#tokens) / this.#refillPerMs)
      : Number.POSITIVE_INFINITY;
  }
}
