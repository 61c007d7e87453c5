import { LandedError } from '../../errors/LandedError.ts';

/** The errno of a Node system error, when it has one. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps a failed journal write to the stable code the app sees. Whatever the cause, the commit was not
 * accepted: the message says so, because the app must not believe the write is safe.
 */
export function writeError(error: unknown, path: string): LandedError {
  if (error instanceof LandedError) return error;
  const errno = errnoOf(error) ?? 'unknown error';
  const detail = (error as Error)?.message ?? String(error);
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new LandedError(
      'STORE_QUOTA_EXCEEDED',
      `the disk holding ${path} is full (${errno}); the write was not accepted. Free some space and write again: earlier entries are intact`,
      { cause: error },
    );
  }
  const why =
    errno === 'EROFS'
      ? 'the file system is read-only'
      : errno === 'EACCES' || errno === 'EPERM'
        ? 'permission denied'
        : errno === 'EIO'
          ? 'the device reported an I/O error'
          : detail;
  return new LandedError(
    'STORE_WRITE_FAILED',
    `could not durably write ${path} (${errno}: ${why}); the write was not accepted. Make the directory writable and write again: earlier entries are intact`,
    { cause: error },
  );
}

/** The outbox directory cannot be created, read or opened. */
export function unavailableError(error: unknown, dir: string, action: string): LandedError {
  if (error instanceof LandedError) return error;
  const errno = errnoOf(error) ?? 'unknown error';
  return new LandedError(
    'STORE_UNAVAILABLE',
    `the file store cannot ${action} in ${dir} (${errno}: ${(error as Error)?.message ?? String(error)}); check that the directory exists, is readable and writable by this process`,
    { cause: error },
  );
}
