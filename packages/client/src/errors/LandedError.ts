/**
 * Stable codes of every error a user of `@landed/client` can meet. Codes never change meaning; new
 * ones may be added.
 */
export type LandedErrorCode =
  /** An option passed to `createClient()` or a store factory is missing or malformed. */
  | 'INVALID_OPTIONS'
  /** `write()` was given a URL that cannot be parsed or is not http(s). */
  | 'INVALID_URL'
  /** `write()` was given a method other than POST, PUT, PATCH or DELETE. */
  | 'INVALID_METHOD'
  /** The body cannot be serialised to JSON (cycle, BigInt, function …). */
  | 'BODY_NOT_SERIALIZABLE'
  /** The serialised body is larger than `maxBodyBytes`. */
  | 'BODY_TOO_LARGE'
  /** The store could not durably write (disk full, read-only, quota exceeded, blocked). Nothing was accepted. */
  | 'STORE_WRITE_FAILED'
  /** The storage quota (browser) or disk (ENOSPC) is full. Nothing was accepted. */
  | 'STORE_QUOTA_EXCEEDED'
  /** The store cannot be opened (IndexedDB blocked, directory unreadable). */
  | 'STORE_UNAVAILABLE'
  /** Another live process holds the outbox lock. */
  | 'OUTBOX_LOCKED'
  /** The client was closed; no further writes are accepted. */
  | 'CLIENT_CLOSED'
  /** `get()`, `replay()`, `discard()` … were given an id the outbox does not know. */
  | 'ENTRY_NOT_FOUND'
  /** The operation does not apply to the entry in its current state (e.g. discard while sending). */
  | 'INVALID_STATE'
  /**
   * A write handle's `outcome`: the entry left the outbox before it had one (discarded by a person,
   * purged at logout). It is not sent again.
   */
  | 'DISCARDED'
  /** No principal is set but the client requires one (`requirePrincipal`). */
  | 'NO_PRINCIPAL'
  /** A binding (a `@landed/react` hook) found no client: none was passed and no provider gives one. */
  | 'NO_CLIENT'
  /** A binding that settles on the outcome (TanStack Query's mutation): the server refused the write. */
  | 'WRITE_REJECTED'
  /** As `WRITE_REJECTED`: the write's outcome could not be established; a person decides. */
  | 'WRITE_EXPIRED'
  /** `@landed/opentelemetry` could not load `@opentelemetry/api` (not installed, or older than 1.3): install it beside the app. */
  | 'OTEL_API_MISSING'
  /** `serviceWorkerSender()` (`@landed/client/sw`) was called outside a service worker's global scope. */
  | 'SERVICE_WORKER_REQUIRED'
  /** `connectServiceWorker()` found no service worker that runs `serviceWorkerSender()` for this page. */
  | 'SERVICE_WORKER_MISSING'
  /** The page and its service worker name different outboxes (`name`): the worker would never send the page's writes. */
  | 'SERVICE_WORKER_MISMATCH';

/** Base of every error Landed throws. `code` is stable; `message` says what happened and what to do. */
export class LandedError extends Error {
  override name = 'LandedError';
  readonly code: LandedErrorCode;

  constructor(code: LandedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True for a `LandedError` from any copy of this package (checks `name`, not only `instanceof`). */
export function isLandedError(error: unknown): error is LandedError {
  return (
    error instanceof LandedError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'LandedError' &&
      typeof (error as { code?: unknown }).code === 'string')
  );
}
