import type { Entry, EntryState, JsonValue, LogRecord, Outcome, WriteMethod } from './entry.ts';
import type { WriteObserver } from './observer.ts';
import type { Reporter } from './reporter.ts';
import type { Clock, FocusSignal, OnlineSignal } from './runtime.ts';
import type { Leadership, OutboxChannel, OutboxStore, ServerFacts } from './store.ts';

export interface ClientOptions {
  /** Where entries are persisted. Required: `memoryStore()`, `fileStore()` (`@landed/client/node`), `localforageStore()` (`@landed/client/browser`). */
  store: OutboxStore;
  /** Base URL that relative write URLs resolve against. */
  baseUrl?: string;
  /** The `fetch` used for every attempt. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Headers added to every attempt, computed per attempt (auth tokens belong here, never in the entry). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Called on a 401; the entry pauses until it resolves, then is retried with the same key. */
  refreshAuth?: () => Promise<void>;
  /** `quoted` sends `Idempotency-Key: "…"` (IETF sf-string); `unquoted` sends the bare key (Stripe style). @default 'quoted' */
  keyFormat?: 'quoted' | 'unquoted';
  /** Per-attempt timeout, after which the outcome is `uncertain`. @default 10_000 */
  timeoutMs?: number;
  /** First backoff delay. @default 250 */
  backoffBaseMs?: number;
  /** Largest backoff delay. @default 30_000 */
  backoffCapMs?: number;
  /** Attempts one flush makes for an entry before leaving it for the next flush trigger. @default 8 */
  attemptsPerFlush?: number;
  /** Client-wide retry budget (token bucket) so an outage does not become a retry storm. @default { capacity: 50, refillPerSec: 5 } */
  retryBudget?: { capacity: number; refillPerSec: number };
  /**
   * Most attempts on the wire at once, across lanes: the ceiling of the adaptive limit (see
   * `concurrencyControl`). A lane waiting out a backoff holds no slot. A browser still opens at most
   * six HTTP/1.1 connections per origin of its own accord. @default 64
   */
  concurrency?: number;
  /**
   * `adaptive` starts at 4 attempts at once and moves between 1 and `concurrency`: up while answers come
   * back, down by a tenth on a timeout, 429, 503 or 504 (AIMD). `fixed` always allows `concurrency`.
   * @default 'adaptive'
   */
  concurrencyControl?: 'adaptive' | 'fixed';
  /**
   * "Accepts first": writes that come back to back (a `write()` while another is in progress, or right
   * after one while requests are on the wire) are persisted `queued` and no new attempt starts until the
   * burst ends — a timer turn without a write — or for at most this long. `0`: every write is sent as
   * soon as it is accepted. @default 0 with `createClient()`, 1_000 with `createBrowserClient()`
   */
  burstHoldMs?: number;
  /** Largest serialised body accepted by `write()`. @default 1_048_576 */
  maxBodyBytes?: number;
  /**
   * The longest server retention (seconds) the client relies on. A server that publishes a shorter
   * `Idempotency-Retention` (on an answer that echoes our key) shortens it for every entry bound for
   * its origin, and what it published is kept with the outbox. Never set it longer than the server's
   * real window: until the server has been heard once, an entry whose answers are all lost is re-sent
   * inside this window, and a server that forgot the key would apply it again (see docs/client.md).
   * @default 86_400
   */
  retentionSec?: number;
  /** Safety margin before the retention window closes after which the client stops blind re-sends. @default 0.1 × retention */
  retentionMarginSec?: number;
  /** Lookup path for reconciliation past the window: `GET {lookupPath}/{key}`; `null` when the server has none. @default '/idempotency' */
  lookupPath?: string | null;
  /** Report an entry that stays `uncertain` longer than this. @default 300_000 */
  uncertainReportAfterMs?: number;
  /** Receives what needs a person. */
  reporter?: Reporter;
  /**
   * Watches each write and each request it makes, and may add headers to a request (tracing:
   * `openTelemetryObserver()` from `@landed/opentelemetry`). See `WriteObserver`. @default none
   */
  observer?: WriteObserver;
  /** The principal new entries are written under; entries of another principal are never sent. */
  principal?: string;
  /** Who may send (lock file, Web Locks). @default this instance always leads */
  leadership?: Leadership;
  /** Cross-instance notices (BroadcastChannel). */
  channel?: OutboxChannel;
  /** @default the real clock */
  clock?: Clock;
  /** @default always online */
  online?: OnlineSignal;
  /** Flush when the app comes back to the foreground. */
  focus?: FocusSignal;
  /** Jitter source. @default Math.random */
  random?: () => number;
  /** Keep confirmed entries (for `list()` and replay) this long before compaction removes them. @default 86_400_000 */
  keepConfirmedMs?: number;
  /** Start sending on creation (startup flush). @default true */
  autoStart?: boolean;
}

export interface WriteRequest {
  method: WriteMethod;
  /** Absolute, or relative to `baseUrl`. */
  url: string;
  /** Any JSON-serialisable value. */
  body?: unknown;
  /** Entries of one lane are sent strictly in order. @default 'default' */
  lane?: string;
  headers?: Record<string, string>;
  /** Shown in the console and reports (never the body). */
  label?: string;
}

/** What `write()` gives back once the entry is durably persisted. */
export interface WriteHandle {
  readonly id: string;
  readonly key: string;
  /** Settles on the final outcome: `confirmed`, `rejected` or `expired`. Never rejects. */
  readonly outcome: Promise<Outcome>;
}

export interface Transition {
  entry: Entry;
  from: EntryState | null;
  to: EntryState;
}

export interface ClientEvents {
  transition: Transition;
  confirmed: Entry;
  rejected: Entry;
  uncertain: Entry;
  expired: Entry;
  attempt: { entry: Entry; record: LogRecord };
  quarantined: { location: string; reason: string };
}

/** A summary a UI binds to: "3 writes waiting, 1 needs attention". */
export interface Summary {
  waiting: number;
  sending: number;
  uncertain: number;
  needsAttention: number;
  confirmed: number;
  rejected: number;
  expired: number;
  online: boolean;
  leader: boolean;
  /** One line for people. */
  text: string;
}

export interface Client {
  write(request: WriteRequest): Promise<WriteHandle>;
  post(
    url: string,
    body?: unknown,
    options?: Omit<WriteRequest, 'method' | 'url' | 'body'>,
  ): Promise<WriteHandle>;
  put(
    url: string,
    body?: unknown,
    options?: Omit<WriteRequest, 'method' | 'url' | 'body'>,
  ): Promise<WriteHandle>;
  patch(
    url: string,
    body?: unknown,
    options?: Omit<WriteRequest, 'method' | 'url' | 'body'>,
  ): Promise<WriteHandle>;
  delete(
    url: string,
    body?: unknown,
    options?: Omit<WriteRequest, 'method' | 'url' | 'body'>,
  ): Promise<WriteHandle>;
  /** Sends everything sendable now; resolves when nothing is left in flight or ready (waiting backoffs remain). */
  flush(): Promise<void>;
  /** Resolves when every entry is terminal (or `timeoutMs` passes: then rejects with the count left). */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  list(filter?: { state?: EntryState | EntryState[] }): Entry[];
  get(id: string): Entry | undefined;
  log(entryId?: string): Promise<LogRecord[]>;
  /** Re-sends a logged entry with its original key (the console's "Replay" button). */
  replay(id: string): Promise<WriteHandle>;
  /** Removes a terminal or parked entry (the console's "Discard"). */
  discard(id: string): Promise<void>;
  /** Clears the entry's backoff and sends it now (the console's "Retry now"). */
  retryNow(id: string): Promise<void>;
  summary(): Summary;
  /** What the client knows about each server it writes to (its published retention), by origin. */
  servers(): ServerFacts[];
  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void;
  /**
   * Calls `listener` (with no arguments, synchronously: keep it cheap) after any change to what
   * `list()`, `get()` or `summary()` return — a transition, an attempt, an entry changed or removed
   * here or in another instance, the store loaded at start-up, the online signal, leadership, the
   * principal. For UI bindings (React's `useSyncExternalStore`). Returns an unsubscribe function.
   */
  subscribe(listener: () => void): () => void;
  /** Switches the principal; entries of others are never sent under it. */
  setPrincipal(principal: string | undefined): Promise<void>;
  /** `park` keeps the current principal's unsent entries for their next login; `purge` deletes them. */
  logout(mode: 'park' | 'purge'): Promise<void>;
  close(): Promise<void>;
}

export type { JsonValue };
