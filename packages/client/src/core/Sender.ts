import pRetry from 'p-retry';
import type { Entry, JsonValue, LogRecord, Outcome } from '../types/entry.ts';
import { TERMINAL_STATES } from '../types/entry.ts';
import type { OnlineSignal } from '../types/runtime.ts';
import { backoffDelay, type RetryBudget } from './backoff.ts';
import { ConcurrencyLimit, type Sample, sampleOf } from './ConcurrencyLimit.ts';
import type { Classification } from './classify.ts';
import type { EntryPatch, Outbox } from './Outbox.ts';
import { Reconciler } from './Reconciler.ts';
import type { Reporting } from './Reporting.ts';
import { sendAttempt, type TransportSettings } from './transport.ts';

export interface SenderSettings extends TransportSettings {
  backoffBaseMs: number;
  backoffCapMs: number;
  attemptsPerFlush: number;
  concurrency: number;
  adaptiveConcurrency: boolean;
  retentionSec: number;
  retentionMarginSec: number | undefined;
  refreshAuth: (() => Promise<void>) | undefined;
  random: () => number;
  online: OnlineSignal;
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
 * Sends entries lane by lane: strictly in order within a lane (create before update), every lane that
 * is due at once, with at most the adaptive limit's number of attempts on the wire (a lane holds a
 * slot for one attempt, never while it waits out a backoff). p-retry owns the attempts of an entry; the delays between them
 * are ours (exponential backoff with jitter, or the server's Retry-After) and go through the injected
 * clock, so simulations control time.
 */
export class Sender {
  readonly #outbox: Outbox;
  readonly #settings: SenderSettings;
  readonly #budget: RetryBudget;
  readonly #reporting: Reporting;
  readonly #canSend: () => boolean;
  readonly #sendable: (entry: Entry) => boolean;
  readonly #active = new Set<string>();
  readonly #slots: ConcurrencyLimit;
  readonly #reconciler: Reconciler;
  readonly #sleeping = new Map<string, () => void>();
  /** Lanes with a direct write being persisted, and entries persisted in `sending` not yet sent. */
  readonly #directLanes = new Set<string>();
  readonly #direct = new Set<string>();
  /** Entries whose move to `sending` is being persisted: the request leaves once it is. */
  readonly #starting = new Set<string>();
  #idleWaiters: Array<() => void> = [];
  #wakeTimer: unknown;
  #wakeAt = Number.POSITIVE_INFINITY;
  #refreshing: Promise<void> | undefined;
  #closed = false;

  constructor(
    outbox: Outbox,
    settings: SenderSettings,
    budget: RetryBudget,
    reporting: Reporting,
    canSend: () => boolean,
    sendable: (entry: Entry) => boolean,
  ) {
    this.#outbox = outbox;
    this.#settings = settings;
    this.#budget = budget;
    this.#reporting = reporting;
    this.#canSend = canSend;
    this.#sendable = sendable;
    this.#slots = new ConcurrencyLimit(settings.concurrency, settings.adaptiveConcurrency);
    this.#reconciler = new Reconciler(outbox, settings, reporting, (exchange, sample) =>
      this.#withSlot(exchange, sample),
    );
  }

  /** Attempts on the wire now, and how many the adaptive limit allows. */
  get load(): { inFlight: number; limit: number } {
    return { inFlight: this.#slots.inFlight, limit: this.#slots.limit };
  }

  /** The entry at the head of each lane: the oldest one not yet terminal that this instance may send. */
  #heads(): Map<string, Entry> {
    return this.#outbox.entries.heads(this.#sendable);
  }

  /** Starts lanes whose head is due (`force`: due or not). */
  pump(force = false): void {
    if (this.#closed || !this.#canSend()) {
      this.#checkIdle();
      return;
    }
    const now = this.#settings.clock.now();
    if (force) for (const wake of this.#sleeping.values()) wake();
    let nextWake = Number.POSITIVE_INFINITY;
    for (const [lane, head] of this.#heads()) {
      if (this.#active.has(lane)) continue;
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
    this.#direct.add(entry.id);
    return true;
  }

  endDirect(entry: Entry, persisted: boolean): void {
    this.#directLanes.delete(entry.lane);
    if (!persisted) this.#direct.delete(entry.id);
    this.pump();
  }

  async #runLane(lane: string, force: boolean): Promise<void> {
    try {
      for (;;) {
        const head = this.#outbox.entries.head(lane, this.#sendable);
        if (!head || this.#closed || !this.#canSend()) break;
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
    const prepared = this.#direct.delete(id) ? this.#outbox.entries.get(id) : undefined;
    if (prepared?.state === 'sending' && this.#sendable(prepared) && !this.#closed) {
      if (await this.#send(prepared, prepared, false)) return;
      attemptsLeft--;
      if (attemptsLeft <= 0 || !(await this.#beforeRetry(id))) return;
    }
    await pRetry(
      async () => {
        const entry = this.#outbox.entries.get(id);
        if (!entry || TERMINAL_STATES.has(entry.state) || !this.#sendable(entry) || this.#closed) return;
        if (await this.#attempt(entry)) return;
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

  /** Runs one exchange in a sending slot, waiting for one first; what it says about the load moves the limit. */
  async #withSlot<T>(exchange: () => Promise<T>, sample: (result: T) => Sample): Promise<T> {
    await this.#slots.acquire();
    let verdict: Sample = 'ignore';
    try {
      const result = await exchange();
      verdict = sample(result);
      return result;
    } finally {
      this.#slots.release(verdict);
    }
  }

  /** Whether an attempt of `id` is about to leave (its `sending` state is being persisted). */
  isStarting(id: string): boolean {
    return this.#starting.has(id) || this.#direct.has(id);
  }

  /** Wakes a sleeping entry now (the console's "Retry now"). */
  wake(id: string): void {
    this.#sleeping.get(id)?.();
  }

  /**
   * The last moment a blind re-send may leave: the retention the entry's server published (to any
   * entry: see `KnownServers`), else `retentionSec`, less a margin. The margin is at least one attempt
   * timeout, because a request that leaves just inside the window may arrive at the server up to
   * `timeoutMs` later, when it may have forgotten the key.
   */
  #retentionDeadline(entry: Entry): number | undefined {
    if (entry.firstSentAt === undefined) return undefined;
    const settings = this.#settings;
    const retention = this.#outbox.servers.retentionFor(entry.url) ?? settings.retentionSec;
    const margin = Math.max(settings.retentionMarginSec ?? retention * 0.1, settings.timeoutMs / 1000);
    return entry.firstSentAt + Math.max(0, retention - margin) * 1000;
  }

  /** One attempt (or lookup). Resolves true when the entry is settled for this round. */
  async #attempt(entry: Entry): Promise<boolean> {
    const deadline = this.#retentionDeadline(entry);
    let freshWindow = false;
    if (deadline !== undefined && this.#settings.clock.now() >= deadline) {
      const verdict = await this.#reconciler.reconcile(entry);
      if (verdict !== 'send') return verdict === 'settled';
      freshWindow = true;
      entry = this.#outbox.entries.get(entry.id) ?? entry;
    }
    const now = this.#settings.clock.now();
    // Persist the attempt before it leaves: a crash mid-flight leaves `sending`, which a restart turns
    // into `uncertain`, and firstSentAt anchors the retention window.
    let sending: Entry;
    this.#starting.add(entry.id);
    try {
      sending = await this.#outbox.transition(
        entry,
        'sending',
        {
          attempts: entry.attempts + 1,
          firstSentAt: freshWindow || entry.firstSentAt === undefined ? now : entry.firstSentAt,
          nextAttemptAt: undefined,
        },
        { durable: true },
      );
    } catch {
      await this.#scheduleRetry(entry, undefined);
      return false;
    } finally {
      this.#starting.delete(entry.id);
    }
    // Purged while its attempt was being persisted: nothing is sent.
    if (!this.#outbox.entries.has(entry.id)) return true;
    // A re-send is judged inside the window above; the transport checks it again as the request leaves.
    const notAfter = freshWindow ? undefined : deadline;
    return this.#send(entry, sending, entry.state === 'uncertain' || entry.state === 'sending', notAfter);
  }

  /** Sends `sending` (persisted in state `sending`) and settles the entry on the answer. */
  async #send(entry: Entry, sending: Entry, mayHaveApplied: boolean, notAfter?: number): Promise<boolean> {
    const attempt = await this.#withSlot(
      // Waiting for a slot takes time: purged or closed meanwhile, it is not sent.
      async () =>
        this.#closed || !this.#outbox.entries.has(entry.id)
          ? undefined
          : sendAttempt(sending, this.#settings, notAfter),
      (sent) => {
        if (!sent) return 'ignore';
        const { result } = sent.classified;
        return result.kind === 'confirmed' || result.kind === 'rejected' ? 'ok' : sampleOf(result.code);
      },
    );
    if (!attempt) return true;
    const { classified, durationMs, status } = attempt;
    const { result } = classified;
    const record: LogRecord = {
      type: 'attempt',
      kind: 'send',
      at: this.#settings.clock.now(),
      entryId: entry.id,
      attempt: sending.attempts,
      durationMs,
      result: result.kind === 'confirmed' ? 'ok' : result.kind === 'uncertain' ? 'info' : 'fail',
    };
    if (status !== undefined) record.status = status;
    if (result.kind !== 'confirmed') record.errorCode = result.code;
    else if (result.replayed) record.replayed = true;
    if (classified.retentionSec !== undefined)
      this.#outbox.learnRetention(sending.url, classified.retentionSec);
    return this.#settle(sending, result, record, {}, mayHaveApplied);
  }

  async #settle(
    entry: Entry,
    result: Classification,
    record: LogRecord,
    base: EntryPatch,
    mayHaveApplied: boolean,
  ): Promise<boolean> {
    const now = this.#settings.clock.now();
    switch (result.kind) {
      case 'confirmed': {
        const outcome: Outcome = {
          state: 'confirmed',
          status: result.status,
          replayed: result.replayed,
          at: now,
        };
        if (result.body !== undefined) outcome.body = result.body;
        await this.#outbox.transition(
          entry,
          'confirmed',
          { ...base, outcome, lastError: undefined, uncertainSince: undefined },
          { log: [record], durable: false },
        );
        return true;
      }
      case 'rejected': {
        const outcome: Outcome = { state: 'rejected', status: result.status, reason: result.reason, at: now };
        if (result.body !== undefined) outcome.body = result.body;
        const next = await this.#outbox.transition(
          entry,
          'rejected',
          {
            ...base,
            outcome,
            lastError: { code: result.code, message: result.reason, status: result.status },
          },
          { log: [record], durable: false, reason: result.reason },
        );
        this.#reporting.report('rejected', next);
        return true;
      }
      case 'auth':
      case 'not-applied':
      case 'uncertain': {
        const lastError = {
          code: result.code,
          message: result.reason,
          ...(result.status === undefined ? {} : { status: result.status }),
        };
        const to = result.kind === 'uncertain' || mayHaveApplied ? 'uncertain' : 'queued';
        const retryAfter = result.kind === 'auth' ? undefined : result.retryAfterMs;
        const delay = Math.max(
          retryAfter ?? 0,
          backoffDelay(
            entry.attempts - 1,
            this.#settings.backoffBaseMs,
            this.#settings.backoffCapMs,
            this.#settings.random,
          ),
        );
        let next = await this.#outbox.transition(
          entry,
          to,
          {
            ...base,
            lastError,
            nextAttemptAt: now + delay,
            uncertainSince: to === 'uncertain' ? (entry.uncertainSince ?? now) : undefined,
          },
          { log: [record], durable: false, reason: result.reason },
        );
        if (result.kind === 'auth') next = await this.#refreshAuth(next);
        this.#reporting.checkUncertain(next);
        return false;
      }
    }
  }

  /** 401: one refresh for all entries that hit it at once, then the same key again at once. */
  async #refreshAuth(entry: Entry): Promise<Entry> {
    const refresh = this.#settings.refreshAuth;
    if (!refresh) return entry;
    this.#refreshing ??= refresh().finally(() => {
      this.#refreshing = undefined;
    });
    try {
      await this.#refreshing;
    } catch {
      return entry;
    }
    const current = this.#outbox.entries.get(entry.id) ?? entry;
    return this.#outbox.patch(current, { nextAttemptAt: this.#settings.clock.now() });
  }

  async #scheduleRetry(entry: Entry, retryAfterMs: number | undefined): Promise<void> {
    const delay = Math.max(
      retryAfterMs ?? 0,
      backoffDelay(
        entry.attempts,
        this.#settings.backoffBaseMs,
        this.#settings.backoffCapMs,
        this.#settings.random,
      ),
    );
    const current = this.#outbox.entries.get(entry.id) ?? entry;
    this.#outbox.entries.set(entry.id, { ...current, nextAttemptAt: this.#settings.clock.now() + delay });
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
    this.#direct.clear();
    if (this.#wakeTimer !== undefined) this.#settings.clock.clearTimeout(this.#wakeTimer);
    for (const wake of [...this.#sleeping.values()]) wake();
    this.#checkIdle();
  }
}
