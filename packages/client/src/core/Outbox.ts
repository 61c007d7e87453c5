import { isLandedError, LandedError } from '../errors/LandedError.ts';
import type { ClientEvents } from '../types/client.ts';
import type { Entry, EntryState, LogRecord, Outcome } from '../types/entry.ts';
import { TERMINAL_STATES } from '../types/entry.ts';
import type { Clock } from '../types/runtime.ts';
import type { OutboxStore, QuarantinedRecord, StoreChange } from '../types/store.ts';
import { EntryMap } from './EntryMap.ts';
import type { Emitter } from './emitter.ts';
import { KnownServers } from './KnownServers.ts';

/**
 * The outbox's in-memory view, kept in step with the store: every transition is written (entry and
 * log record in one commit) and announced. Before an attempt the commit is awaited ("persist, then
 * send"); after an answer the view moves first and the commit follows, because losing that commit in
 * a crash only means the entry is re-sent with its key and the server replays the answer.
 */
/** A change to an entry; `undefined` clears a field. */
export type EntryPatch = { [K in keyof Entry]?: Entry[K] | undefined };

/**
 * The entry with `patch` applied, as a new object without the cleared fields. Built key by key rather
 * than spread-then-`delete`: deleting properties drops an object into V8's slow dictionary mode, and
 * every entry passes through here on each transition.
 */
function applyPatch(entry: Entry, patch: EntryPatch, state: Entry['state'], updatedAt: number): Entry {
  const next: Record<string, unknown> = {};
  for (const key in entry) {
    if (!(key in patch)) next[key] = entry[key as keyof Entry];
  }
  for (const key in patch) {
    const value = patch[key as keyof Entry];
    if (value !== undefined) next[key] = value;
  }
  next.state = state;
  next.updatedAt = updatedAt;
  return next as unknown as Entry;
}

export class Outbox {
  readonly entries = new EntryMap();
  /** What the client knows about each server, persisted beside the entries. */
  readonly servers = new KnownServers();
  readonly #store: OutboxStore;
  readonly #clock: Clock;
  readonly #events: Emitter<ClientEvents>;
  readonly #waiters = new Map<
    string,
    Array<{
      promise: Promise<Outcome>;
      resolve: (outcome: Outcome) => void;
      reject: (error: unknown) => void;
    }>
  >();
  readonly #onChange: (entry: Entry) => void;
  /** Told of the entries that left the view (the client's observer, when it asks). */
  onForget: ((ids: readonly string[]) => void) | undefined;
  #lastSeq = 0;
  #pendingCommit: Promise<void> = Promise.resolve();

  constructor(
    store: OutboxStore,
    clock: Clock,
    events: Emitter<ClientEvents>,
    onChange: (entry: Entry) => void,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#events = events;
    this.#onChange = onChange;
  }

  get store(): OutboxStore {
    return this.#store;
  }

  async load(): Promise<QuarantinedRecord[]> {
    const { entries, quarantined, servers } = await this.#store.load();
    this.entries.fill(entries);
    this.servers.fill(servers, entries);
    for (const entry of entries) if (entry.seq > this.#lastSeq) this.#lastSeq = entry.seq;
    return quarantined;
  }

  nextSeq(): number {
    this.#lastSeq = Math.max(this.#lastSeq + 1, this.#clock.now() * 1000);
    return this.#lastSeq;
  }

  #remember(entry: Entry): void {
    this.entries.set(entry.id, entry);
    if (entry.seq > this.#lastSeq) this.#lastSeq = entry.seq;
  }

  /** Persists a new entry; throws (accepting nothing) when the store cannot. */
  async add(entry: Entry, log: LogRecord[]): Promise<void> {
    await this.commit({ put: [entry], log });
    this.#remember(entry);
    if (entry.state === 'queued') {
      this.#announce(entry, null);
    } else {
      // Written straight into `sending` (its first attempt in the same commit): listeners still see
      // the life cycle step by step, as the log records it.
      if (this.#events.has('transition')) {
        const { attempts: _attempts, firstSentAt: _firstSentAt, ...queued } = entry;
        this.#events.emit('transition', {
          entry: { ...queued, state: 'queued', attempts: 0 },
          from: null,
          to: 'queued',
        });
      }
      this.#announce(entry, 'queued');
    }
  }

  /** Takes in an entry another instance wrote (seen through the store). */
  adopt(entry: Entry): void {
    const known = this.entries.get(entry.id);
    if (known && known.updatedAt > entry.updatedAt) return;
    this.#remember(entry);
    if (known?.state !== entry.state) this.#announce(entry, known?.state ?? null);
  }

  transitionRecord(entry: Entry, to: EntryState, reason?: string): LogRecord {
    const record: LogRecord = {
      type: 'transition',
      at: this.#clock.now(),
      entryId: entry.id,
      from: entry.state,
      to,
    };
    if (reason !== undefined) record.reason = reason;
    return record;
  }

  /**
   * Moves an entry to `to`. With `durable: true` it resolves only once the store has it (and throws if
   * the store fails, leaving the view unchanged); otherwise the view moves at once.
   */
  async transition(
    entry: Entry,
    to: EntryState,
    patch: EntryPatch,
    options: { reason?: string; log?: LogRecord[]; durable: boolean },
  ): Promise<Entry> {
    // Onto the entry as it is now: a change made while the caller held `entry` (parked at a logout,
    // a report flag) is kept; the fields the caller moves are all in `patch`.
    const current = this.entries.get(entry.id);
    let next = applyPatch(current ?? entry, patch, to, this.#clock.now());
    // Removed meanwhile (discarded, purged at logout): an answer arriving late must not bring it back.
    if (!current) return next;
    const log = [...(options.log ?? []), this.transitionRecord(entry, to, options.reason)];
    if (entry.state === to) log.pop();
    const commit = this.commit({ put: [next], log }, options.durable);
    if (options.durable) {
      await commit;
      const latest = this.entries.get(entry.id);
      // Removed while this was written: the removal was committed after it, so the store agrees.
      if (!latest) return next;
      if (latest !== current) {
        // Changed while this was written (parked, flagged): keep that change too, in the store as well.
        next = applyPatch(latest, patch, to, next.updatedAt);
        this.commit({ put: [next] }, false).catch(() => {});
      }
    } else {
      commit.catch(() => {
        // Not fatal by design (see the class comment); the entry is re-sent with its key after a restart.
      });
    }
    this.entries.set(next.id, next);
    this.#announce(next, entry.state === to ? null : entry.state);
    if (options.log && this.#events.has('attempt')) {
      for (const record of options.log)
        if (record.type === 'attempt') this.#events.emit('attempt', { entry: next, record });
    }
    return next;
  }

  /** Persists a patch that is not a change of state (report flags, parking). */
  async patch(entry: Entry, patch: EntryPatch): Promise<Entry> {
    const current = this.entries.get(entry.id);
    const next = applyPatch(current ?? entry, patch, (current ?? entry).state, this.#clock.now());
    if (!current) return next;
    await this.commit({ put: [next] });
    if (!this.entries.has(entry.id)) return next;
    this.entries.set(next.id, next);
    this.#onChange(next);
    return next;
  }

  /**
   * Records the retention a server published, for every entry bound for it. Persisted durably (it is
   * rare: only a change is written) but not awaited: the answer that carried it is settled meanwhile,
   * and the view already holds it.
   */
  learnRetention(url: string, retentionSec: number): void {
    const facts = this.servers.learn(url, retentionSec, this.#clock.now());
    if (facts) this.commit({ servers: [facts] }).catch(() => {});
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.commit({ remove: ids });
    this.forget(ids);
  }

  /**
   * Hands a change to the store. Every store applies commits in the order `commit()` is called (see
   * `OutboxStore.commit`), so concurrent commits go straight through: the file store can then write a
   * whole group with one fdatasync instead of one per commit. Store failures become a `LandedError`
   * with a stable code.
   */
  commit(change: StoreChange, durable = true): Promise<void> {
    let run: Promise<void>;
    try {
      run = durable ? this.#store.commit(change) : this.#store.commit(change, { durable: false });
    } catch (error) {
      run = Promise.reject(error);
    }
    // `run` has its handler below, so keeping it as the last commit leaves no rejection unhandled.
    this.#pendingCommit = run;
    return run.then(undefined, (error: unknown) => {
      if (isLandedError(error)) throw error;
      throw new LandedError(
        'STORE_WRITE_FAILED',
        `the ${this.#store.kind} store could not write (${(error as Error)?.message ?? String(error)}); nothing was accepted`,
        { cause: error },
      );
    });
  }

  #announce(entry: Entry, from: EntryState | null): void {
    if (this.#events.has('transition')) this.#events.emit('transition', { entry, from, to: entry.state });
    if (
      entry.state === 'confirmed' ||
      entry.state === 'rejected' ||
      entry.state === 'expired' ||
      entry.state === 'uncertain'
    ) {
      if (from !== entry.state) this.#events.emit(entry.state, entry);
    }
    if (TERMINAL_STATES.has(entry.state) && entry.outcome) {
      const waiters = this.#waiters.get(entry.id);
      this.#waiters.delete(entry.id);
      for (const waiter of waiters ?? []) waiter.resolve(entry.outcome);
    }
    this.#onChange(entry);
  }

  /** Resolves with the entry's final outcome (at once if it has one). */
  outcome(id: string): Promise<Outcome> {
    const entry = this.entries.get(id);
    if (entry && TERMINAL_STATES.has(entry.state) && entry.outcome) return Promise.resolve(entry.outcome);
    let settle!: { resolve: (outcome: Outcome) => void; reject: (error: unknown) => void };
    const promise = new Promise<Outcome>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const list = this.#waiters.get(id) ?? [];
    list.push({ promise, ...settle });
    this.#waiters.set(id, list);
    return promise;
  }

  /** Entries that left the store: out of the view; an outcome still awaited rejects (`DISCARDED`). */
  forget(ids: readonly string[]): void {
    if (this.onForget && ids.length > 0) {
      try {
        this.onForget(ids);
      } catch {
        // An observer failing must not stop the outbox.
      }
    }
    for (const id of ids) {
      this.entries.delete(id);
      const waiters = this.#waiters.get(id);
      if (!waiters) continue;
      this.#waiters.delete(id);
      const error = new LandedError(
        'DISCARDED',
        `entry ${id} left the outbox before it had an outcome (discarded, or purged at logout); it is not sent again`,
      );
      for (const waiter of waiters) {
        // An app that never looks at an outcome must not crash on a discard (an unhandled rejection).
        waiter.promise.catch(() => {});
        waiter.reject(error);
      }
    }
  }

  /**
   * Waits for commits already issued (so `close()` loses nothing that was announced). Stores settle
   * commits in order, so the last one issued settles after all the others.
   */
  settled(): Promise<void> {
    return this.#pendingCommit.then(
      () => {},
      () => {},
    );
  }
}
