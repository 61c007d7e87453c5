import type { Entry, EntryState, JsonValue, LogRecord, Outcome } from '../types/entry.ts';
import { backoffDelay } from './backoff.ts';
import { type Sample, sampleOf } from './ConcurrencyLimit.ts';
import { lookupKey } from './lookup.ts';
import type { EntryPatch, Outbox } from './Outbox.ts';
import type { Reporting } from './Reporting.ts';
import type { TransportSettings } from './transport.ts';

/** Lookups whose answer does not carry our key, after which the lookup route is taken not to follow the protocol. */
export const MAX_UNBELIEVED_LOOKUPS = 3;

export interface ReconcilerSettings extends TransportSettings {
  backoffBaseMs: number;
  backoffCapMs: number;
  random: () => number;
}

/** What to do with an entry after its lookup: settled by it, ask again later, or send it now (never seen). */
export type Verdict = 'settled' | 'retry' | 'send';

/** Runs one exchange in a sending slot (the scheduler's), telling the limit what it said about the load. */
export type WithSlot = <T>(exchange: () => Promise<T>, sample: (result: T) => Sample) => Promise<T>;

/**
 * Decides what becomes of an entry that may have applied once the server's retention window has
 * closed on it: it asks the server's lookup route, believes only an answer that carries our key, and
 * settles the entry from it, sends it once more (never seen), or hands it to a person (`expired`).
 */
export class Reconciler {
  readonly #outbox: Outbox;
  readonly #settings: ReconcilerSettings;
  readonly #reporting: Reporting;
  readonly #withSlot: WithSlot;

  constructor(outbox: Outbox, settings: ReconcilerSettings, reporting: Reporting, withSlot: WithSlot) {
    this.#outbox = outbox;
    this.#settings = settings;
    this.#reporting = reporting;
    this.#withSlot = withSlot;
  }

  /**
   * Past the server's retention window a blind re-send could apply the write twice (the server may
   * have forgotten the key), so ask the server what became of it instead, or hand it to a person.
   */
  async reconcile(entry: Entry): Promise<Verdict> {
    const answer = await this.#withSlot(
      () => lookupKey(entry, this.#settings),
      (a) => (a.kind === 'unknown' ? sampleOf(a.code.replace(/^LOOKUP_/, '')) : 'ok'),
    );
    if (answer.retentionSec !== undefined) this.#outbox.learnRetention(entry.url, answer.retentionSec);
    const now = this.#settings.clock.now();
    const record: LogRecord = {
      type: 'attempt',
      kind: 'lookup',
      at: now,
      entryId: entry.id,
      attempt: entry.attempts,
      durationMs: answer.durationMs,
      result:
        answer.kind === 'found'
          ? 'ok'
          : answer.kind === 'never-seen' || answer.kind === 'in-progress'
            ? 'fail'
            : 'info',
    };
    switch (answer.kind) {
      case 'found': {
        record.status = 200;
        const applied = answer.status >= 200 && answer.status < 300;
        const outcome: Outcome = {
          state: applied ? 'confirmed' : 'rejected',
          status: answer.status,
          replayed: true,
          at: now,
        };
        if (answer.body !== undefined) outcome.body = answer.body as JsonValue;
        if (!applied) outcome.reason = `the server had refused it earlier (HTTP ${answer.status})`;
        const next = await this.#outbox.transition(
          entry,
          outcome.state,
          { outcome, lastError: undefined },
          { log: [record], durable: false, reason: 'reconciled by lookup' },
        );
        if (!applied) this.#reporting.report('rejected', next);
        return 'settled';
      }
      case 'never-seen':
        // The server holds no record of the key: it never applied, so sending it now applies it once.
        record.status = 404;
        await this.#outbox.commit({ log: [record] }, false).catch(() => {});
        return 'send';
      case 'in-progress':
        record.status = 409;
        await this.#askAgainLater(entry, entry.state, record, {});
        return 'retry';
      case 'unsupported':
        return this.#expire(
          entry,
          record,
          `past the server's retention window and ${answer.reason}: whether it applied is unknown, a person must decide (replay or discard)`,
          { code: 'EXPIRED' },
        );
      case 'unbelieved': {
        // Not believed, rightly; but asking for ever would leave the write waiting with nobody told.
        record.status = answer.status;
        record.errorCode = 'LOOKUP_NOT_PROTOCOL';
        const unbelievedLookups = (entry.unbelievedLookups ?? 0) + 1;
        if (unbelievedLookups >= MAX_UNBELIEVED_LOOKUPS) {
          return this.#expire(
            entry,
            record,
            `past the server's retention window, and the server's lookup route does not follow the protocol (${answer.reason}, ${unbelievedLookups} times): whether it applied is unknown, a person must decide (replay or discard)`,
            { code: 'LOOKUP_NOT_PROTOCOL', status: answer.status },
            { unbelievedLookups },
          );
        }
        await this.#askAgainLater(entry, entry.state === 'sending' ? 'uncertain' : entry.state, record, {
          unbelievedLookups,
          lastError: { code: 'LOOKUP_NOT_PROTOCOL', message: answer.reason, status: answer.status },
        });
        return 'retry';
      }
      case 'unknown': {
        record.errorCode = answer.code;
        const next = await this.#askAgainLater(
          entry,
          entry.state === 'sending' ? 'uncertain' : entry.state,
          record,
          { lastError: { code: answer.code, message: answer.reason } },
        );
        this.#reporting.checkUncertain(next);
        return 'retry';
      }
    }
  }

  /** No answer to settle on: the entry waits a backoff, then is looked up again. */
  #askAgainLater(entry: Entry, to: EntryState, record: LogRecord, patch: EntryPatch): Promise<Entry> {
    const { backoffBaseMs, backoffCapMs, random, clock } = this.#settings;
    const delay = backoffDelay(entry.attempts, backoffBaseMs, backoffCapMs, random);
    return this.#outbox.transition(
      entry,
      to,
      { ...patch, nextAttemptAt: clock.now() + delay },
      { log: [record], durable: false },
    );
  }

  /** Whether it applied cannot be known: a person decides (replay or discard), and is told. */
  async #expire(
    entry: Entry,
    record: LogRecord,
    reason: string,
    error: { code: string; status?: number },
    patch: EntryPatch = {},
  ): Promise<Verdict> {
    const outcome: Outcome = { state: 'expired', reason, at: this.#settings.clock.now() };
    const next = await this.#outbox.transition(
      entry,
      'expired',
      {
        ...patch,
        outcome,
        lastError: {
          code: error.code,
          message: reason,
          ...(error.status === undefined ? {} : { status: error.status }),
        },
      },
      { log: [record], durable: false, reason },
    );
    this.#reporting.report('expired', next);
    return 'settled';
  }
}
