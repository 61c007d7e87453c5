import { LandedError } from '../../errors/LandedError.ts';

export interface FileStoreOptions {
  /** Directory of this outbox (created if missing). One directory per outbox; nothing else should write in it. */
  dir: string;
  /**
   * Compact (rewrite the journal as a snapshot of live entries and their logs) once the journal passes
   * this size and at least twice the size of its last snapshot.
   * @default 8_388_608 (8 MiB)
   */
  compactAfterBytes?: number;
  /**
   * `fdatasync`: a commit resolves only once its bytes are on the disk (an `O_DSYNC` write where the
   * platform has it, else write + fdatasync). `none` skips every sync: a
   * process crash loses nothing, a power cut may — for tests only.
   * @default 'fdatasync'
   */
  fsync?: 'fdatasync' | 'none';
  /** Log records kept per entry (oldest dropped first). @default 200 */
  maxLogRecordsPerEntry?: number;
  /** Take `outbox.lock` so that only one process uses the outbox; a second live opener gets `OUTBOX_LOCKED`. @default true */
  lock?: boolean;
}

export interface ResolvedOptions {
  dir: string;
  compactAfterBytes: number;
  sync: boolean;
  maxLogRecordsPerEntry: number;
  lock: boolean;
}

function invalid(message: string): LandedError {
  return new LandedError('INVALID_OPTIONS', `fileStore(): ${message}`);
}

export function resolveOptions(options: FileStoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw invalid('pass an options object, e.g. fileStore({ dir: ".landed/outbox" })');
  const {
    dir,
    compactAfterBytes = 8 * 1024 * 1024,
    fsync = 'fdatasync',
    maxLogRecordsPerEntry = 200,
    lock = true,
  } = options;
  if (typeof dir !== 'string' || dir.length === 0)
    throw invalid('`dir` must be the path of the outbox directory');
  if (!Number.isInteger(compactAfterBytes) || compactAfterBytes < 1)
    throw invalid('`compactAfterBytes` must be a positive integer');
  if (fsync !== 'fdatasync' && fsync !== 'none') throw invalid("`fsync` must be 'fdatasync' or 'none'");
  if (!Number.isInteger(maxLogRecordsPerEntry) || maxLogRecordsPerEntry < 0) {
    throw invalid('`maxLogRecordsPerEntry` must be a non-negative integer');
  }
  if (typeof lock !== 'boolean') throw invalid('`lock` must be true or false');
  return { dir, compactAfterBytes, sync: fsync === 'fdatasync', maxLogRecordsPerEntry, lock };
}
