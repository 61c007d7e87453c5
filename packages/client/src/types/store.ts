import type { Entry, LogRecord } from './entry.ts';

/**
 * What the client knows about one server (an origin): what it published, persisted with the outbox so
 * a restart keeps it. It applies to every entry bound for that origin, not only to the entry whose
 * answer carried it: an entry whose every answer was lost has heard nothing itself, and must still
 * never be re-sent past the window the server published to its neighbours.
 */
export interface ServerFacts {
  /** `https://api.example` — the origin of the entries' URLs. */
  origin: string;
  /** The last `Idempotency-Retention` (seconds) the server published on an answer that echoed our key. */
  retentionSec?: number;
  /** When it was last heard (client clock, ms). */
  heardAt: number;
}

/**
 * One atomic, durable change to the outbox. `commit()` resolves only once all of it survives a
 * process kill (file: written and synced to the disk; browser: the IndexedDB transaction completed).
 */
export interface StoreChange {
  put?: readonly Entry[];
  remove?: readonly string[];
  log?: readonly LogRecord[];
  /** What the client learned about servers (replaces the stored facts of each origin named). */
  servers?: readonly ServerFacts[];
}

export interface StoreCommitOptions {
  /**
   * `false` for a change the client can afford to lose in a power cut or an OS crash (never in a
   * process kill): the outcome of an attempt, which the next attempt would learn again by replay. The
   * store still applies it in order and writes it, but need not wait for the disk (the file store skips
   * the sync; the next durable commit's sync covers it). A store may read such a change only when it
   * writes it (the file store encodes it with the group it joins, after the answer it records has
   * reached the app): its caller does not change the objects it handed over before `commit()`
   * resolves (the client never does: each commit carries new entry and record objects). @default true
   */
  durable?: boolean;
}

/** A record the store could not read: kept aside (never deleted), reported, never blocks the rest. */
export interface QuarantinedRecord {
  /** Where it was found: `journal.jsonl:1234`, `landed/entry/abc` … */
  location: string;
  reason: string;
  /** At most the first 200 characters of the raw record, for a person to inspect. */
  excerpt: string;
}

export interface StoreLoad {
  entries: Entry[];
  quarantined: QuarantinedRecord[];
  /** The facts last committed per origin; a store of an older version may have none. */
  servers?: ServerFacts[];
}

/**
 * The storage contract every outbox store (memory, file, localforage) fulfils. The core never touches
 * `fs`, IndexedDB or `window`: it only calls this.
 */
export interface OutboxStore {
  /** Short name for logs and errors: `memory`, `file`, `localforage`. */
  readonly kind: string;
  /**
   * Reads every entry; corrupt records go to `quarantined`. May be called again to pick up other
   * writers. The entries may be read-only (the file store hands out its own, frozen): the client never
   * changes an entry object in place, it replaces it.
   */
  load(): Promise<StoreLoad>;
  /** Reads one entry as it is stored now (another tab or process may have written it). */
  getEntry(id: string): Promise<Entry | undefined>;
  /**
   * Applies the change atomically and durably. Rejects with a `LandedError` (`STORE_*` code) when it
   * cannot. Commits are applied, and settle, in the order `commit()` was called: the client issues
   * concurrent commits without waiting for each other and relies on this order.
   */
  commit(change: StoreChange, options?: StoreCommitOptions): Promise<void>;
  /** The log records of one entry (or all, oldest first), as durable as the entries. */
  readLog(entryId?: string): Promise<LogRecord[]>;
  close(): Promise<void>;
}

/**
 * Who may send. Exactly one client instance per outbox sends at a time (a lock file in Node, Web Locks
 * in the browser); the others only persist and hand over.
 */
export interface Leadership {
  /** Resolves once this instance leads; `lost` fires if leadership is taken away. */
  acquire(signal?: AbortSignal): Promise<Lease>;
}

export interface Lease {
  release(): Promise<void>;
}

/** Cross-instance notice (BroadcastChannel in the browser). */
export interface OutboxChannel {
  post(message: ChannelMessage): void;
  subscribe(listener: (message: ChannelMessage) => void): () => void;
  close(): void;
}

/**
 * Notices are posted once the store has the change, and name the entry only: the receiver reads it
 * from the store (and drops it from its view when the store no longer has it).
 */
export type ChannelMessage =
  /** The entry is queued: the leader must send it (a new write, or a replay in another instance). */
  | { type: 'written'; id: string }
  /** The entry changed or was removed. */
  | { type: 'changed'; id: string }
  /** `flush()` in an instance that does not send. */
  | { type: 'flush' }
  /** `retryNow()` in an instance that does not send: the leader does it. */
  | { type: 'retry'; id: string }
  /** `discard()` in an instance that does not send: the leader does it, if the entry may be discarded. */
  | { type: 'discard'; id: string }
  /**
   * `logout()` in an instance that does not send: the leader parks (or purges) the principal's
   * unfinished entries against its own view, which is the one that may be sending them.
   */
  | { type: 'logout'; principal?: string; mode: 'park' | 'purge' }
  /** `setPrincipal()` in an instance that does not send: the leader unparks the principal's entries. */
  | { type: 'login'; principal?: string };
