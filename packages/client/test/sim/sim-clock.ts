import type { Clock } from '@landed/client';

/**
 * Virtual time for simulations: nothing happens until the test advances it. Each client instance gets
 * its own view (`view()`), so a crashed instance's timers can be dropped with it.
 */
export class SimClock {
  now = 1_700_000_000_000;
  #timers: Array<{ at: number; fn: () => void; alive: () => boolean; id: number }> = [];
  #nextId = 1;

  view(alive: () => boolean): Clock {
    return {
      now: () => this.now,
      setTimeout: (fn, ms) => {
        const id = this.#nextId++;
        this.#timers.push({ at: this.now + Math.max(0, ms), fn, alive, id });
        return id;
      },
      clearTimeout: (handle) => {
        this.#timers = this.#timers.filter((t) => t.id !== handle);
      },
    };
  }

  /** Fires every timer due by `now + ms`, in time order, moving `now` as it goes. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      this.#timers = this.#timers.filter((t) => t.alive());
      const next = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.now = Math.max(this.now, next.at);
      next.fn();
    }
    this.now = until;
  }

  get pendingTimers(): number {
    return this.#timers.filter((t) => t.alive()).length;
  }
}
