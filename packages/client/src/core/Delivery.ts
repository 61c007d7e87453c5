import type { Entry, LogRecord, Outcome } from '../types/entry.ts';
import { backoffDelay } from './backoff.ts';
import type { ConcurrencyLimit, Sample } from './ConcurrencyLimit.ts';
import { sampleOf } from './ConcurrencyLimit.ts';
import type { Classification } from './classify.ts';
import type { EntryPatch, Outbox } from './Outbox.ts';
import { Reconciler } from './Reconciler.ts';
import type { Reporting } from './Reporting.ts';
import {
  type AttemptResult,
  type PreparedExchange,
  sendAttempt,
  type TransportSettings,
} from './transport.ts';

export interface DeliverySettings extends TransportSettings {
  backoffBaseMs: number;
  backoffCapMs: number;
  retentionSec: number;
  retentionMarginSec: number | undefined;
  refreshAuth: (() => Promise<void>) | undefined;
  random: () => number;
}

/**
 * One attempt of one entry, from decision to settled state: inside the retention window it persists
 * the attempt (`sending`), sends it in a sending slot and moves the entry on the classified answer;
 * past the window it hands the entry to the reconciler instead. The scheduler decides *when*; this
 * decides nothing about timing beyond the entry's next `nextAttemptAt`.
 */
export class Delivery {
  readonly #outbox: Outbox;
  readonly #settings: DeliverySettings;
  readonly #reporting: Reporting;
  readonly #slots: ConcurrencyLimit;
  readonly #closed: () => boolean;
  readonly #reconciler: Reconciler;
  /** Entries whose move to `sending` is being persisted: the request leaves once it is. */
  readonly #starting = new Set<string>();
  #refreshing: Promise<void> | undefined;

  constructor(
    outbox: Outbox,
    settings: DeliverySettings,
    reporting: Reporting,
    slots: ConcurrencyLimit,
    closed: () => boolean,
  ) {
    this.#outbox = outbox;
    this.#settings = settings;
    this.#reporting = reporting;
    this.#slots = slots;
    this.#closed = closed;
    this.#reconciler = new Reconciler(outbox, settings, reporting, (exchange, sample) =>
      this.#withSlot(exchange, sample),
    );
  }

  /** Whether an attempt of `id` is about to leave (its `sending` state is being persisted). */
  isStarting(id: string): boolean {
    return this.#starting.has(id);
  }

  /** Runs one exchange in a sending slot, waiting for one first; what it says about the load moves the limit. */
  async #withSlot<T>(exchange: () => Promise<T>, sample: (result: T) => Sample): Promise<T> {
    // No extra turn of the event loop when a slot is free: this is on every write's path.
    if (!this.#slots.tryAcquire()) await this.#slots.acquire();
    let verdict: Sample = 'ignore';
    try {
      const result = await exchange();
      verdict = sample(result);
      return result;
    } finally {
      this.#slots.release(verdict);
    }
  }

  /**
   * The last moment a blind re-send may leave: the retention the entry's server published (to any
   * entry: see `KnownServers`) or `retentionSec`, whichever is shorter, less a margin. The margin is at least one attempt
   * timeout, because a request that leaves just inside the window may arrive at the server up to
   * `timeoutMs` later, when it may have forgotten the key.
   */
  #retentionDeadline(entry: Entry): number | undefined {
    if (entry.firstSentAt === undefined) return undefined;
    const settings = this.#settings;
    // The shorter of the two: the server's word bounds every entry of its origin, and an app that set
    // a shorter `retentionSec` asked to be told (or to look up) sooner than the server would forget.
    const published = this.#outbox.servers.retentionFor(entry.url);
    const retention =
      published === undefined ? settings.retentionSec : Math.min(published, settings.retentionSec);
    const margin = Math.max(settings.retentionMarginSec ?? retention * 0.1, settings.timeoutMs / 1000);
    return entry.firstSentAt + Math.max(0, retention - margin) * 1000;
  }

  /** One attempt (or lookup). Resolves true when the entry is settled for this round. */
  async attempt(entry: Entry): Promise<boolean> {
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
    return this.send(entry, sending, entry.state === 'uncertain' || entry.state === 'sending', notAfter);
  }

  /** Sends `sending` (persisted in state `sending`) and settles the entry on the answer. */
  async send(
    entry: Entry,
    sending: Entry,
    mayHaveApplied: boolean,
    notAfter?: number,
    prepared?: PreparedExchange,
  ): Promise<boolean> {
    // The slot is taken inline rather than through `#withSlot`: this is every write's path, and a free
    // slot must cost no extra turn of the event loop.
    if (!this.#slots.tryAcquire()) await this.#slots.acquire();
    let attempt: AttemptResult | undefined;
    let sample: Sample = 'ignore';
    try {
      // Waiting for a slot takes time: purged or closed meanwhile, it is not sent.
      if (!this.#closed() && this.#outbox.entries.has(entry.id)) {
        attempt = await sendAttempt(sending, this.#settings, notAfter, prepared);
        const { result } = attempt.classified;
        sample = result.kind === 'confirmed' || result.kind === 'rejected' ? 'ok' : sampleOf(result.code);
      }
    } finally {
      this.#slots.release(sample);
    }
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
}
