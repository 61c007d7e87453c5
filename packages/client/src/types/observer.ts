import type { Transition } from './client.ts';
import type { Entry } from './entry.ts';

/** One request on the wire, as `attemptStart` and `attemptEnd` see it: the same object is given to both. */
export interface AttemptInfo {
  /** The entry as it is sent (its `attempts` already counts this attempt). */
  readonly entry: Entry;
  /** `send` carries the write; `lookup` asks the server what became of its key (past its retention window). */
  readonly kind: 'send' | 'lookup';
  /** The request's method: the entry's for a send, `GET` for a lookup. */
  readonly method: string;
  /** The URL requested, query string included (a lookup's is `{lookupPath}/{key}` on the entry's origin). */
  readonly url: string;
  /** The entry's attempt number, 1 for the first; a lookup carries the number of the send it follows. */
  readonly attempt: number;
}

/**
 * What an attempt's answer meant. For a send, the classification of docs/protocol.md; for a lookup,
 * what the server said of the key.
 */
export type AttemptOutcome =
  | 'confirmed'
  | 'rejected'
  | 'uncertain'
  | 'not-applied'
  | 'auth'
  | 'found'
  | 'never-seen'
  | 'in-progress'
  | 'unsupported'
  | 'unbelieved'
  | 'unknown';

export interface AttemptEnd {
  outcome: AttemptOutcome;
  /** The stable code of an answer that did not confirm: `HTTP_503`, `TIMEOUT`, `NETWORK`, `IN_PROGRESS` … */
  code?: string | undefined;
  /** HTTP status, absent when no response arrived. */
  status?: number | undefined;
  /** The response said `Idempotent-Replayed: true`. */
  replayed: boolean;
  durationMs: number;
}

/**
 * Watches every write and every request it makes, for tracing or metrics (`@landed/opentelemetry` is
 * one). Every hook is optional and called synchronously; one that throws is ignored, because watching
 * must never stop a write. A client without an observer does none of this work.
 */
export interface WriteObserver {
  /**
   * A write is being accepted (before it is persisted): a string returned here (at most 512
   * characters) is kept with the entry as `entry.trace`, wherever and whenever it is sent. Never a
   * secret or a body: it is stored in the outbox.
   */
  stamp?(): string | undefined;
  /** Each change of an entry's state, as the `transition` event gives it (`from: null` when it is accepted). */
  transition?(transition: Transition): void;
  /** Entries that left the outbox (discarded, purged at logout, compacted), whatever their state. */
  removed?(entryIds: readonly string[]): void;
  /**
   * An attempt is about to leave. The headers returned are added to this request only (e.g.
   * `traceparent`); they never replace `Idempotency-Key`, `Landed-Attempt` or `Landed-First-Sent`.
   */
  attemptStart?(attempt: AttemptInfo): Record<string, string> | undefined;
  /** The attempt given to `attemptStart` has its answer (or none came). Called exactly once after each `attemptStart`. */
  attemptEnd?(attempt: AttemptInfo, end: AttemptEnd): void;
}
