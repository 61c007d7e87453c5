/** Stable codes of errors thrown to the application (never to an HTTP client: those get problem+json). */
export type IdempotencyErrorCode =
  /** An option passed to `createIdempotency()` or a store factory is missing or malformed. */
  | 'invalid-options'
  /** `faults.next()` was called while the fault hooks are off. */
  | 'faults-disabled'
  /** The store could not be reached or failed mid-operation. */
  | 'store-unavailable'
  /** The key record was taken over by another attempt (after `lockTimeout`) before this one finished. */
  | 'lock-lost'
  /** The store was used after `close()`. */
  | 'store-closed';

/** Base of every error `@landed/server` throws; `message` says what happened and what to do. */
export class IdempotencyError extends Error {
  override name = 'IdempotencyError';
  readonly code: IdempotencyErrorCode;

  constructor(code: IdempotencyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True for an `IdempotencyError` from any copy of this package. */
export function isIdempotencyError(error: unknown): error is IdempotencyError {
  return (
    error instanceof IdempotencyError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'IdempotencyError' &&
      typeof (error as { code?: unknown }).code === 'string')
  );
}
