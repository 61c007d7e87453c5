/**
 * An entry is one write the app handed to the outbox. It lives from `write()` until the server
 * confirms it (or a person is told it did not land), and every change of state is persisted before the
 * client acts on it.
 */
export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `queued`: persisted, not yet attempted (or waiting for its lane, its backoff or the network);
 * - `sending`: an attempt is on the wire — found in this state after a crash, it becomes `uncertain`;
 * - `uncertain`: an attempt may or may not have applied; re-sent with the same key, or reconciled;
 * - `confirmed`: the server applied it (now or earlier — `replayed`);
 * - `rejected`: the server refused it (4xx, 422 payload mismatch …): never retried, reported;
 * - `expired`: the outcome could not be established inside the server's retention window: a person
 *   decides (replay or discard), reported.
 */
export type EntryState = 'queued' | 'sending' | 'uncertain' | 'confirmed' | 'rejected' | 'expired';

export type TerminalState = 'confirmed' | 'rejected' | 'expired';

export const TERMINAL_STATES: ReadonlySet<EntryState> = new Set(['confirmed', 'rejected', 'expired']);

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What the server last said (or what stopped the client from hearing it). */
export interface LastError {
  /** Stable code: `HTTP_503`, `NETWORK`, `TIMEOUT`, `BAD_ECHO`, `BAD_RESPONSE`, `LOOKUP_NOT_PROTOCOL` … */
  code: string;
  message: string;
  status?: number;
}

/** The final answer for an entry, as the app's handle and the console see it. */
export interface Outcome {
  state: TerminalState;
  /** HTTP status of the deciding response, when there was one. */
  status?: number;
  /** Parsed JSON body of the deciding response (text when it was not JSON). */
  body?: JsonValue;
  /** True when the server said `Idempotent-Replayed: true`: applied by an earlier attempt. */
  replayed?: boolean;
  /** Why the entry is `rejected` or `expired`, in words a person can act on. */
  reason?: string;
  at: number;
}

export interface Entry {
  /** Local id (CSPRNG UUID), stable for the life of the entry. */
  id: string;
  /** Idempotency key (CSPRNG UUID) made before the first attempt; the same on every attempt. */
  key: string;
  method: WriteMethod;
  /** Absolute URL. */
  url: string;
  /** The body exactly as it will be sent (serialised JSON), frozen at `write()` time. */
  body?: string;
  /** Extra request headers the app asked for (never auth headers: those come from `headers()` per attempt). */
  headers?: Record<string, string>;
  /** Entries of one lane are sent strictly in order; lanes run concurrently. */
  lane: string;
  /** Order of acceptance across the whole outbox (ties broken by id). */
  seq: number;
  /** The principal (user/tenant) the entry was written under; never sent under another. */
  principal?: string;
  state: EntryState;
  /** True while parked by a logout: kept, not sent, until the same principal is back. */
  parked?: boolean;
  attempts: number;
  createdAt: number;
  /** Time of the first attempt: with the server's retention it bounds blind re-sends. */
  firstSentAt?: number;
  updatedAt: number;
  /** Earliest time of the next attempt (backoff, Retry-After). */
  nextAttemptAt?: number;
  lastError?: LastError;
  outcome?: Outcome;
  /**
   * @deprecated Kept by versions before 0.2, which learned retention per entry. Read once at load into
   * what the client knows of the entry's server (see `ServerFacts`); never written any more.
   */
  serverRetentionSec?: number;
  /** App label shown in the console and reports (never the body). */
  label?: string;
  /**
   * What the client's observer stamped on the write as it was accepted (`WriteObserver.stamp`: the
   * OpenTelemetry integration keeps the W3C `traceparent` of the span that was active), so a write
   * resumed after a restart or sent from another tab joins the trace it was made in.
   */
  trace?: string;
  /** Since when the entry has been `uncertain` without a clear answer (for the too-long report). */
  uncertainSince?: number;
  /** Lookups in a row whose answer did not follow the protocol (see `MAX_UNBELIEVED_LOOKUPS`). */
  unbelievedLookups?: number;
  /** Report kinds already handed to the reporter, so each is reported once. */
  reported?: ReportKind[];
}

export type ReportKind = 'rejected' | 'expired' | 'uncertain-too-long';

/** One line of the durable event log: every attempt and every transition. */
export type LogRecord = AttemptRecord | TransitionRecord;

export interface AttemptRecord {
  type: 'attempt';
  at: number;
  entryId: string;
  attempt: number;
  durationMs: number;
  /** HTTP status, absent when no response arrived. */
  status?: number;
  /** `ok` applied, `fail` definitely not applied, `info` unknown (Jepsen's vocabulary). */
  result: 'ok' | 'fail' | 'info';
  errorCode?: string;
  replayed?: boolean;
  /** `send` carries the write; `lookup` asks the server what became of the key (past its retention window). */
  kind?: 'send' | 'lookup';
}

export interface TransitionRecord {
  type: 'transition';
  at: number;
  entryId: string;
  from: EntryState | null;
  to: EntryState;
  reason?: string;
}
