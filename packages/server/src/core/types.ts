/**
 * The contracts of the idempotency core: what an adapter hands in, what a handler returns, and what a
 * store must do. Framework-free: adapters translate to and from these shapes.
 */

/** Header values as Node gives them (`IncomingHttpHeaders`) or a WHATWG `Headers`. */
export type HeaderBag = Record<string, string | string[] | undefined> | Headers;

/** One HTTP request as the core sees it. */
export interface IdempotentRequest {
  method: string;
  /** Path and query as sent (`/orders?dry=1`): part of the fingerprint. */
  path: string;
  headers: HeaderBag;
  /** The body already parsed by a framework (JSON value). Ignored when `rawBody` is set. */
  body?: unknown;
  /** The body as received, when the adapter read it itself: parsed here as JSON. */
  rawBody?: string | Uint8Array;
  /** Set by an adapter that stopped reading because the body passed `maxBodyBytes`. */
  bodyTooLarge?: boolean;
  /** The authenticated principal or tenant, when the adapter or app knows it; `scope()` may use it. */
  principal?: string;
  /** The framework's own request object, for `scope()` to read auth from. */
  native?: unknown;
}

/** What a handler answers. `body` is sent as JSON unless it is a string. */
export interface HandlerResult {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What the handler receives: the open transaction its business write must use. */
export interface HandlerContext<Tx> {
  /** The store's transaction: the key record commits or rolls back with whatever is written here. */
  tx: Tx;
  /** The unquoted idempotency key; undefined when the request carried none and `requireKey` is false. */
  key: string | undefined;
  scope: string;
  request: IdempotentRequest;
  /** The parsed JSON body. */
  body: unknown;
  /** `Landed-Attempt`: which attempt of the client's this is (1 for the first), when sent. For logs. */
  attempt: number | undefined;
  /** `Landed-First-Sent`: when the client first sent this write (epoch ms), when sent. For logs. */
  firstSentAt: number | undefined;
}

export type Handler<Tx> = (ctx: HandlerContext<Tx>) => Promise<HandlerResult> | HandlerResult;

/** The answer to send: status, headers and a serialised body. */
export interface IdempotentResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a store holds for one `(scope, key)`. Times are epoch milliseconds. */
export interface StoredRecord {
  scope: string;
  key: string;
  fingerprint: string;
  state: 'started' | 'finished';
  /** Owner of a `started` record: a takeover compares and sets it. */
  lockToken: string | null;
  lockedAt: number | null;
  status: number | null;
  /** Null once reaped (past `expiresAt`): only the tombstone is left. */
  headers: Record<string, string> | null;
  body: string | null;
  createdAt: number;
  /** The stored response is forgotten after this (retention). */
  expiresAt: number | null;
  /** The tombstone itself is deleted after this; the key may then run again. */
  purgeAt: number | null;
}

export interface ClaimInput {
  scope: string;
  key: string;
  fingerprint: string;
  lockToken: string;
  now: number;
  /**
   * When the stored response will be forgotten (retention) and the tombstone deleted, set with the
   * claim so finishing never moves the record in the `expires_at` index.
   */
  expiresAt: number;
  purgeAt: number;
}

/** What `begin` and `takeOver` did: ran the work under a fresh claim, or found the key taken. */
export type BeginResult<T> =
  | { claimed: true; value: T }
  | { claimed: false; record: StoredRecord | undefined };

export interface FinishInput {
  status: number;
  headers: Record<string, string>;
  body: string;
  now: number;
}

/**
 * Where keys live. A store must make the claim atomic across every process that shares it (a unique
 * `(scope, key)`), and must commit the key record with the business write (`work`'s transaction).
 */
export interface IdempotencyStore<Tx> {
  readonly kind: string;
  /**
   * Claims `(scope, key)` as `started` for `lockToken` and, when it did, runs `work` in the business
   * transaction: commit when it resolves, roll back when it throws (the error is rethrown). When a live
   * record is already there `work` never runs and the record is returned (a record past `purgeAt`
   * counts as absent). Stores with one writer (SQLite) may claim inside the business transaction.
   */
  begin<T>(input: ClaimInput, work: (tx: Tx) => Promise<T>): Promise<BeginResult<T>>;
  /**
   * Compare-and-set: takes a stale `started` record over from `expectedToken`, then runs `work` as
   * `begin` does. `claimed: false` when someone else changed the record first (or it is alive).
   */
  takeOver<T>(
    input: ClaimInput & { expectedToken: string },
    work: (tx: Tx) => Promise<T>,
  ): Promise<BeginResult<T>>;
  /** Runs `fn` in one transaction without any key (writes the protocol does not govern). */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Inside `work`'s transaction: marks the record `finished` with the response. Throws an
   * `IdempotencyError` with code `lock-lost` when `lockToken` no longer owns the record.
   */
  finish(tx: Tx, scope: string, key: string, lockToken: string, outcome: FinishInput): Promise<void>;
  /** Deletes a `started` record owned by `lockToken`, so the next attempt runs. */
  release(scope: string, key: string, lockToken: string): Promise<void>;
  get(scope: string, key: string): Promise<StoredRecord | undefined>;
  /**
   * Drops bodies with `expiresAt <= now` and whole records with `expiresAt <= now - graceMs` (the
   * tombstone window: `purgeAt` is always `expiresAt + graceMs`), using the one index on `expires_at`.
   */
  reap(now: number, graceMs: number): Promise<{ reaped: number; purged: number }>;
  /** True when an error thrown inside a handler means the database itself failed (answered 503, not 500). */
  isUnavailable?(error: unknown): boolean;
  close(): Promise<void>;
}
