// Over 300 lines with one concern: when attempts start (lanes, sending slots, backoff wakes, direct writes, bursts), all reading one state of lanes and slots.
import pRetry from 'p-retry';
import type { Entry } from '../types/entry.ts';
import { TERMINAL_STATES } from '../types/entry.ts';
import type { OnlineSignal } from '../types/runtime.ts';
import type { RetryBudget } from './backoff.ts';
import { type Burst, burst } from './burst.ts';
import { ConcurrencyLimit } from './ConcurrencyLimit.ts';
import { Delivery, type DeliverySettings } from './Delivery.ts';
import type { Outbox } from './Outbox.ts';
import type { Reporting } from './Reporting.ts';
import { type PreparedExchange, prepareExchange } from './transport.ts';

export interface SchedulerSettings extends DeliverySettings {
  attemptsPerFlush: number;
  concurrency: number;
  adaptiveConcurrency: boolean;
  online: OnlineSignal;
  /** The longest a burst of writes holds new attempts back (`burst.ts`); 0: never. */
  burstHoldMs: number;
}

/** Thrown inside p-retry to ask for another attempt of the same entry. */
class RetryLater extends Error {
  override name = 'RetryLater';
}
/** Ends this round for an entry: it waits for the next trigger (timer, online, flush). */
class StopForNow extends Error {
  override name = 'StopForNow';
}

/**
 * Decides *when*: lanes, sending slots, backoff timers. Entries of a lane go strictly in order (create
 * before update); every lane that is due runs at once, with at most the adaptive limit's number of
 * attempts on the wire (a slot is held for one attempt, never while a lane waits out a backoff).
 * p-retry owns the attempts of an entry within a round; the delays between them are ours (exponential
 * backoff with jitter, or the server's Retry-After) and go through the injected clock, so simulations
 * control time. What one attempt does is `Delivery`'s. During a burst of writes no new attempt starts
 * (`burst.ts`): the writes are taken first and sent when it ends; attempts already on their way go on.
 */
export class Scheduler {
  readonly #outbox: Outbox;
  readonly #settings: SchedulerSettings;
  readonly #budget: RetryBudget;
  readonly #canSend: () => boolean;
  readonly #sendable: (entry: Entry) => boolean;
  readonly #active = new Set<string>();
  readonly #slots: ConcurrencyLimit;
  readonly #delivery: Delivery;
  readonly #sleeping = new Map<string, () => void>();
  /** Lanes with a direct write being persisted, and entries persisted in `sending` not yet sent. */
  readonly #directLanes = new Set<string>();
  /** With each its first request once built, while its commit is written (`prepareDirect`). */
  readonly #direct = new Map<string, PreparedExchange | undefined>();
  /** `write()` tells it when each write begins and ends. */
  readonly burst: Burst;
  #idleWaiters: Array<() => void> = [];
  #wakeTimer: unknown;
  #wakeAt = Number.POSITIVE_INFINITY;
  #closed = false;

  constructor(
    outbox: Outbox,
    settings: SchedulerSettings,
    budget: RetryBudget,
    reporting: Reporting,
    canSend: () => boolean,
    sendable: (entry: Entry) => boolean,
  ) {
    this.#outbox = outbox;
    this.#settings = settings;
    this.#budget = budget;
    this.#canSend = canSend;
    this.#sendable = sendable;
    this.#slots = new ConcurrencyLimit(settings.concurrency, settings.adaptiveConcurrency);
    this.#delivery = new Delivery(outbox, settings, reporting, this.#slots, () => this.#closed);
    this.burst = burst(
      settings.clock,
      settings.burstHoldMs,
      () => this.#slots.inFlight > 0,
      () => this.pump(),
    );
  }

  /** Whether `head` waits for the burst to end: a new attempt does, a write persisted in `sending` not. */
  #held(head: Entry, force: boolean): boolean {
    return !force && this.burst.holding() && !this.#direct.has(head.id);
  }

  /** Attempts on the wire now, and how many the adaptive limit allows. */
  get load(): { inFlight: number; limit: number } {
    return { inFlight: this.#slots.inFlight, limit: this.#slots.limit };
  }

  /** The entry at the head of each lane: the oldest one not yet terminal that this instance may send. */
  #heads(): Map<string, Entry> {
    return this.#outbox.entries.heads(this.#sendable);
  }

  /** Starts lanes whose head is due (`force`: due or not, burst or not). */
  pump(force = false): void {
    if (this.#closed || !this.#canSend()) {
      this.#checkIdle();
      return;
    }
    const now = this.#settings.clock.now();
    if (force) for (const wake of this.#sleeping.values()) wake();
    let nextWake = Number.POSITIVE_INFINITY;
    for (const [lane, head] of this.#heads()) {
      if (this.#active.has(lane) || this.#held(head, force)) continue;
      const due = head.nextAttemptAt ?? 0;
      if (!force && due > now) {
        nextWake = Math.min(nextWake, due);
        continue;
      }
      this.#active.add(lane);
      void this.#runLane(lane, force);
    }
    this.#scheduleWake(nextWake);
    this.#checkIdle();
  }

  #scheduleWake(at: number): void {
    if (at === Number.POSITIVE_INFINITY || at >= this.#wakeAt) return;
    if (this.#wakeTimer !== undefined) this.#settings.clock.clearTimeout(this.#wakeTimer);
    this.#wakeAt = at;
    this.#wakeTimer = this.#settings.clock.setTimeout(
      () => {
        this.#wakeTimer = undefined;
        this.#wakeAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, at - this.#settings.clock.now()),
    );
  }

  /**
   * Whether a new write on `lane` can go out at once: this instance sends, the lane has nothing
   * unfinished and a sending slot is free (or the lane's sender is just finishing). The write is then
   * persisted directly in `sending` — its creation and its first attempt in one commit, one fdatasync
   * instead of two before the request leaves. `endDirect(entry, persisted)` then sends it, or frees
   * the lane if it could not be persisted.
   */
  reserveDirect(entry: Entry): boolean {
    const lane = entry.lane;
    if (this.#closed || !this.#canSend() || !this.#settings.online.isOnline()) return false;
    if (this.#directLanes.has(lane) || this.#outbox.entries.head(lane, () => true)) return false;
    if (!this.#slots.hasRoom()) return false;
    this.#directLanes.add(lane);
    // Marked before it is persisted: a lane runner may find it as soon as it is in the outbox.
    this.#direct.set(entry.id, undefined);
    return true;
  }

  /**
   * Builds a direct write's first request while its commit is on its way to the store; it leaves
   * only when the lane runner sends the entry, after the commit (see `PreparedExchange`).
   */
  prepareDirect(entry: Entry): void {
    if (!this.#closed && this.#direct.has(entry.id))
      this.#direct.set(entry.id, prepareExchange(entry, this.#settings));
  }

  endDirect(entry: Entry, persisted: boolean): void {
    this.#directLanes.delete(entry.lane);
    if (!persisted) {
      this.#direct.get(entry.id)?.cancel();
      this.#direct.delete(entry.id);
    }
    this.pump();
  }

  async #runLane(lane: string, force: boolean): Promise<void> {
    try {
      for (;;) {
        const head = this.#outbox.entries.head(lane, this.#sendable);
        if (!head || this.#closed || !this.#canSend() || this.#held(head, force)) break;
        if (!force && (head.nextAttemptAt ?? 0) > this.#settings.clock.now()) break;
        force = false;
        await this.#runEntry(head.id);
        const after = this.#outbox.entries.get(head.id);
        if (after && !TERMINAL_STATES.has(after.state) && this.#sendable(after)) break;
      }
    } finally {
      this.#active.delete(lane);
      this.pump();
    }
  }

  async #runEntry(id: string): Promise<void> {
    const settings = this.#settings;
    let attemptsLeft = settings.attemptsPerFlush;
    // A new entry persisted in `sending` (see `reserveDirect`) goes out as it is; p-retry takes over
    // only if it needs more attempts.
    const request = this.#direct.get(id);
    const prepared = this.#direct.delete(id) ? this.#outbox.entries.get(id) : undefined;
    if (prepared?.state === 'sending' && this.#sendable(prepared) && !this.#closed) {
      // Not sent after all (closed or purged while waiting for a slot): its request never leaves.
      const sent = this.#delivery.send(prepared, prepared, false, undefined, request);
      if (await sent.finally(() => request?.cancel())) return;
      attemptsLeft--;
      if (attemptsLeft <= 0 || !(await this.#beforeRetry(id))) return;
    } else request?.cancel();
    await pRetry(
      async () => {
        const entry = this.#outbox.entries.get(id);
        if (!entry || TERMINAL_STATES.has(entry.state) || !this.#sendable(entry) || this.#closed) return;
        if (await this.#delivery.attempt(entry)) return;
        throw new RetryLater();
      },
      {
        retries: attemptsLeft - 1,
        minTimeout: 0,
        factor: 1,
        randomize: false,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          if (!(error instanceof RetryLater)) throw error;
          // The round's last attempt: leave the lane now rather than sleep out a backoff for nothing
          // (a lane asleep there let the next flush wake it to no attempt at all).
          if (retriesLeft <= 0) throw new StopForNow();
          if (!(await this.#beforeRetry(id))) throw new StopForNow();
        },
      },
    ).catch((error: unknown) => {
      if (error instanceof StopForNow || error instanceof RetryLater) return;
      throw error;
    });
  }

  /**
   * Between two attempts of an entry: false when this round must stop (closed, offline, the retry
   * budget is spent); otherwise sleeps until the entry's backoff is over.
   */
  async #beforeRetry(id: string): Promise<boolean> {
    const settings = this.#settings;
    if (this.#closed || !this.#canSend() || !settings.online.isOnline()) return false;
    const entry = this.#outbox.entries.get(id);
    if (!entry) return false;
    if (!this.#budget.take()) {
      const wait = this.#budget.waitMs();
      const due = settings.clock.now() + (Number.isFinite(wait) ? wait : settings.backoffCapMs);
      if ((entry.nextAttemptAt ?? 0) < due)
        await this.#outbox.patch(entry, { nextAttemptAt: due }).catch(() => {});
      return false;
    }
    await this.#sleep(id, Math.max(0, (entry.nextAttemptAt ?? 0) - settings.clock.now()));
    return true;
  }

  #sleep(id: string, ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.#settings.clock.clearTimeout(timer);
        this.#sleeping.delete(id);
        resolve();
        this.#checkIdle();
      };
      const timer = this.#settings.clock.setTimeout(wake, ms);
      this.#sleeping.set(id, wake);
      this.#checkIdle();
    });
  }

  /** Whether an attempt of `id` is about to leave (its `sending` state is being persisted). */
  isStarting(id: string): boolean {
    return this.#delivery.isStarting(id) || this.#direct.has(id);
  }

  /** Wakes a sleeping entry now (the console's "Retry now"). */
  wake(id: string): void {
    this.#sleeping.get(id)?.();
  }

  /** True when nothing is on the wire and no due entry waits for a free lane. */
  #isIdle(): boolean {
    if (this.#closed || !this.#canSend()) return true;
    if (
      [...this.#active].some(
        (lane) => ![...this.#sleeping.keys()].some((id) => this.#outbox.entries.get(id)?.lane === lane),
      )
    )
      return false;
    return true;
  }

  #checkIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once no lane is sending (sleeping lanes waiting for a backoff do not count). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    this.#closed = true;
    for (const request of this.#direct.values()) request?.cancel();
    this.#direct.clear();
    if (this.#wakeTimer !== undefined) this.#settings.clock.clearTimeout(this.#wakeTimer);
    for (const wake of [...this.#sleeping.values()]) wake();
    this.#checkIdle();
  }
}
