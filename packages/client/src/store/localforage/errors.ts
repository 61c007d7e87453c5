import { isLandedError, LandedError } from '../../errors/LandedError.ts';

const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);

function nameOf(error: unknown): string {
  return typeof error === 'object' && error !== null ? String((error as { name?: unknown }).name ?? '') : '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isQuotaError(error: unknown): boolean {
  return QUOTA_NAMES.has(nameOf(error)) || /quota/i.test(messageOf(error));
}

/** A write IndexedDB refused: quota (the user can free space) or anything else (nothing was accepted either way). */
export function writeError(error: unknown, name: string): LandedError {
  if (isLandedError(error)) return error;
  if (isQuotaError(error)) {
    return new LandedError(
      'STORE_QUOTA_EXCEEDED',
      `the browser's storage quota for this site is full, so the write was not accepted (outbox "${name}"); free space (clear old site data) or ask for persistent storage (navigator.storage.persist())`,
      { cause: error },
    );
  }
  return new LandedError(
    'STORE_WRITE_FAILED',
    `IndexedDB could not write the outbox "${name}" (${messageOf(error)}); nothing was accepted`,
    {
      cause: error,
    },
  );
}

/** IndexedDB cannot be opened: disabled (private mode, policy), blocked by another tab, or broken. */
export function unavailableError(error: unknown, name: string): LandedError {
  if (isLandedError(error)) return error;
  return new LandedError(
    'STORE_UNAVAILABLE',
    `the outbox "${name}" cannot open IndexedDB (${messageOf(error)}); storage may be disabled for this site, or another tab holds an older version of the database open: close other tabs of this app and reload`,
    { cause: error },
  );
}
