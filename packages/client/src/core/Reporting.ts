import type { Entry, LogRecord, ReportKind } from '../types/entry.ts';
import type { Reporter } from '../types/reporter.ts';
import type { Clock } from '../types/runtime.ts';
import type { QuarantinedRecord } from '../types/store.ts';
import type { Outbox } from './Outbox.ts';

/**
 * Hands what needs a person to the reporter, once per entry and kind (no storms). The "reported"
 * mark is persisted after the reporter took the event, so a crash in between reports again rather
 * than never: a person would rather see a duplicate than miss a write that did not land.
 */
export class Reporting {
  readonly #reporter: Reporter | undefined;
  readonly #outbox: Outbox;
  readonly #clock: Clock;
  readonly #uncertainAfterMs: number;
  readonly #inFlight = new Set<string>();

  constructor(reporter: Reporter | undefined, outbox: Outbox, clock: Clock, uncertainAfterMs: number) {
    this.#reporter = reporter;
    this.#outbox = outbox;
    this.#clock = clock;
    this.#uncertainAfterMs = uncertainAfterMs;
  }

  report(kind: ReportKind, entry: Entry): void {
    const reporter = this.#reporter;
    if (!reporter || entry.reported?.includes(kind)) return;
    const token = `${entry.id}:${kind}`;
    if (this.#inFlight.has(token)) return;
    this.#inFlight.add(token);
    void (async () => {
      try {
        // The log as the store has it once the commits issued so far (the entry's last transition among
        // them) are in: a report never misses the attempt that caused it.
        await this.#outbox.settled();
        const attempts = (await this.#outbox.store.readLog(entry.id).catch(() => [] as LogRecord[])).filter(
          (record) => record.type === 'attempt',
        );
        await reporter.report({ kind, entry, attempts });
        const current = this.#outbox.entries.get(entry.id);
        if (current) await this.#outbox.patch(current, { reported: [...(current.reported ?? []), kind] });
      } catch {
        // A reporter that fails (network, quota) is retried on the next trigger; it never stops the outbox.
      } finally {
        this.#inFlight.delete(token);
      }
    })();
  }

  checkUncertain(entry: Entry): void {
    if (entry.state !== 'uncertain' || entry.uncertainSince === undefined) return;
    if (this.#clock.now() - entry.uncertainSince >= this.#uncertainAfterMs)
      this.report('uncertain-too-long', entry);
  }

  /** After a restart: anything terminal that was never reported is reported now. */
  catchUp(entries: Iterable<Entry>): void {
    for (const entry of entries) {
      if (entry.state === 'rejected' || entry.state === 'expired') this.report(entry.state, entry);
      else this.checkUncertain(entry);
    }
  }

  quarantined(records: readonly QuarantinedRecord[]): void {
    for (const record of records) {
      try {
        void Promise.resolve(
          this.#reporter?.report({ kind: 'quarantined', record, store: this.#outbox.store.kind }),
        ).catch(() => {});
      } catch {
        // see report()
      }
    }
  }
}
