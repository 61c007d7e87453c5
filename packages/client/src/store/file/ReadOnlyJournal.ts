import type { FileHandle } from 'node:fs/promises';
import { writeError } from './errors.ts';
import type { FileStoreStats } from './Journal.ts';

/**
 * The journal of an outbox whose directory cannot be written (read-only mount, no permission): what
 * is there still loads — nothing is lost, the app and a person can see it — but every commit is
 * refused with `STORE_WRITE_FAILED`, so no write is ever accepted that would not survive. The client
 * persists before it sends, so nothing is sent from such an outbox either, which is why it needs no lock.
 */
export class ReadOnlyJournal {
  readonly stats: FileStoreStats;
  readonly #cause: unknown;
  readonly #path: string;
  readonly #fh: FileHandle | undefined;

  constructor(path: string, fh: FileHandle | undefined, size: number, cause: unknown) {
    this.#path = path;
    this.#fh = fh;
    this.#cause = cause;
    this.stats = {
      commits: 0,
      failedCommits: 0,
      writes: 0,
      syncs: 0,
      compactions: 0,
      compactionFailures: 0,
      bytes: size,
    };
  }

  commit(): Promise<void> {
    this.stats.failedCommits++;
    return Promise.reject(writeError(this.#cause, this.#path));
  }

  compact(): Promise<void> {
    return Promise.reject(writeError(this.#cause, this.#path));
  }

  async close(): Promise<void> {
    await this.#fh?.close();
  }
}
