import { fdatasync, write } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LandedError } from '../../errors/LandedError.ts';
import { writeSnapshot } from './compaction.ts';
import { writeError } from './errors.ts';
import { syncDirectory } from './fs-sync.ts';
import type { JournalChange, OutboxState } from './state.ts';

/** Counters a test or an operator can read to see what the store did. */
export interface FileStoreStats {
  /** Commits made durable. */
  commits: number;
  /** Commits rejected (nothing of them was accepted). */
  failedCommits: number;
  /** Appends to the journal: one per group of concurrent commits. */
  writes: number;
  /** fdatasync calls on the journal (not counting compaction's own). */
  syncs: number;
  compactions: number;
  /** Automatic compactions that failed (the journal kept growing; commits were not affected). */
  compactionFailures: number;
  /** Current size of the journal in bytes. */
  bytes: number;
}

interface Pending {
  line: string;
  change: JournalChange;
  /** False: resolve once written, without waiting for an fdatasync (see `StoreCommitOptions`). */
  durable: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Upper bound of one group write, so a burst of large commits does not build one enormous buffer. */
const MAX_GROUP_BYTES = 8 * 1024 * 1024;

/**
 * The append side of the journal, with group commit: while one write + fdatasync is in flight, new
 * commits queue up and all of them go out in the next single write + fdatasync. A commit resolves
 * only after its bytes are synced, and only then is it applied to the in-memory state — so a failed
 * write leaves both the view and the file as they were (the file is truncated back to its last good
 * size). Compaction runs between groups, so a commit arriving during it waits and is never lost.
 */
export class Journal {
  readonly stats: FileStoreStats;
  readonly #path: string;
  readonly #state: OutboxState;
  readonly #sync: boolean;
  readonly #compactAfterBytes: number;
  #fh: FileHandle;
  #size: number;
  #compactAt: number;
  #queue: Pending[] = [];
  #compactWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #running: Promise<void> | undefined;
  #deferred: ReturnType<typeof setImmediate> | undefined;
  /** Bytes past `#size` may hold a failed group: cut them off before appending again. */
  #dirty = false;
  /** A compaction renamed the journal but could not sync the directory yet. */
  #dirUnsynced = false;
  #closed = false;

  constructor(
    path: string,
    fh: FileHandle,
    size: number,
    state: OutboxState,
    options: { sync: boolean; compactAfterBytes: number },
  ) {
    this.#path = path;
    this.#fh = fh;
    this.#size = size;
    this.#state = state;
    this.#sync = options.sync;
    this.#compactAfterBytes = options.compactAfterBytes;
    this.#compactAt = Math.max(options.compactAfterBytes, 2 * size);
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

  /**
   * Appends `line` (the encoded `change`) and resolves once it is durable (or, with `durable: false`,
   * once it is written) and applied.
   */
  commit(line: string, change: JournalChange, durable = true): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(this.#path));
    return new Promise((resolve, reject) => {
      this.#queue.push({ line, change, durable, resolve, reject });
      this.#kick();
    });
  }

  /** Rewrites the journal as a snapshot now (between two groups of commits). */
  compact(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(this.#path));
    return new Promise((resolve, reject) => {
      this.#compactWaiters.push({ resolve, reject });
      this.#kick();
    });
  }

  /** Waits for queued commits, then closes the file. Later commits are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#deferred) this.#run(true);
    while (this.#running) await this.#running;
    await this.#fh.close();
  }

  /** Relaxed commits only (and nothing else to do): they may wait (see `#kick`). */
  #onlyRelaxed(): boolean {
    return (
      !this.#closed && this.#compactWaiters.length === 0 && this.#queue.every((pending) => !pending.durable)
    );
  }

  /**
   * Starts the writer. Relaxed commits alone wait for the end of this turn of the event loop: a
   * durable commit issued meanwhile (typically the app's next write) then carries them in its own
   * group, instead of queueing behind a write of theirs.
   */
  #kick(): void {
    if (this.#running) return;
    if (this.#onlyRelaxed()) {
      this.#deferred ??= setImmediate(() => {
        this.#deferred = undefined;
        this.#run(true);
      });
      return;
    }
    this.#run(false);
  }

  #run(flushRelaxed: boolean): void {
    if (this.#running) return;
    if (this.#deferred) {
      clearImmediate(this.#deferred);
      this.#deferred = undefined;
    }
    this.#running = this.#loop(flushRelaxed).finally(() => {
      this.#running = undefined;
      if (this.#queue.length > 0 || this.#compactWaiters.length > 0) this.#kick();
    });
  }

  async #loop(flushRelaxed: boolean): Promise<void> {
    for (;;) {
      if (this.#compactWaiters.length > 0 || this.#size >= this.#compactAt) await this.#compact();
      if (this.#queue.length === 0) return;
      if (!flushRelaxed && this.#onlyRelaxed()) return;
      let bytes = 0;
      let take = 0;
      while (take < this.#queue.length && (take === 0 || bytes < MAX_GROUP_BYTES))
        bytes += (this.#queue[take++] as Pending).line.length;
      await this.#writeGroup(this.#queue.splice(0, take));
    }
  }

  async #writeGroup(group: Pending[]): Promise<void> {
    const buf = Buffer.from(
      group.length === 1 ? (group[0] as Pending).line : group.map((p) => p.line).join(''),
      'utf8',
    );
    let written = 0;
    try {
      if (this.#dirty) {
        await this.#fh.truncate(this.#size);
        this.#dirty = false;
      }
      while (written < buf.length) {
        // Mark first: a partial write must be cut off even if the next call throws.
        this.#dirty = true;
        const bytesWritten = await writeAt(this.#fh.fd, buf, written, this.#size + written);
        if (bytesWritten === 0) throw Object.assign(new Error('the write made no progress'), { code: 'EIO' });
        written += bytesWritten;
      }
      this.stats.writes++;
      // A group of relaxed commits only is written, not synced: the next durable group's fdatasync
      // covers its bytes too, and a process kill cannot lose what the kernel already has.
      if (this.#sync && group.some((pending) => pending.durable)) {
        await datasync(this.#fh.fd);
        this.stats.syncs++;
        if (this.#dirUnsynced) {
          await syncDirectory(dirname(this.#path));
          this.#dirUnsynced = false;
        }
      }
    } catch (error) {
      // Nothing of the group is accepted: cut its bytes off so a restart cannot resurrect it. If even
      // that fails, `#dirty` stays set and the next group tries again before appending.
      if (this.#dirty)
        await this.#fh.truncate(this.#size).then(
          () => (this.#dirty = false),
          () => {},
        );
      const failure = writeError(error, this.#path);
      this.stats.failedCommits += group.length;
      for (const pending of group) pending.reject(failure);
      return;
    }
    this.#dirty = false;
    this.#size += buf.length;
    this.stats.bytes = this.#size;
    for (const pending of group) {
      this.#state.apply(pending.change);
      this.stats.commits++;
      pending.resolve();
    }
  }

  async #compact(): Promise<void> {
    const waiters = this.#compactWaiters.splice(0);
    try {
      if (this.#dirty) {
        await this.#fh.truncate(this.#size);
        this.#dirty = false;
      }
      const next = await writeSnapshot(this.#path, this.#state, this.#sync);
      const old = this.#fh;
      this.#fh = next.fh;
      this.#size = next.size;
      this.#dirUnsynced = !next.synced;
      await old.close().catch(() => {});
      this.#compactAt = Math.max(this.#compactAfterBytes, 2 * next.size);
      this.stats.compactions++;
      this.stats.bytes = next.size;
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      // The old journal is untouched; try again once it has grown by another `compactAfterBytes`.
      this.#compactAt = this.#size + this.#compactAfterBytes;
      this.stats.compactionFailures++;
      const failure = writeError(error, this.#path);
      for (const waiter of waiters) waiter.reject(failure);
    }
  }
}

/*
 * The append path uses the callback API on the handle's descriptor: a group's write and fdatasync are
 * then one thread-pool job each, without the promise API's per-call wrapping (about 25 µs less per
 * durable commit here, which a write waits for before its request leaves).
 */
function writeAt(fd: number, buf: Buffer, offset: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, buf, offset, buf.length - offset, position, (error, bytesWritten) =>
      error ? reject(error) : resolve(bytesWritten),
    );
  });
}

function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fdatasync(fd, (error) => (error ? reject(error) : resolve()));
  });
}

function closedError(path: string): LandedError {
  return new LandedError(
    'STORE_UNAVAILABLE',
    `the file store of ${path} was closed; open a new one to write`,
  );
}
