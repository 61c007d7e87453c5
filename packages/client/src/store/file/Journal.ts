// Over 300 lines with one concern: the journal's group-commit loop (zeros written ahead, O_DSYNC groups, relaxed commits, compaction hand-off), whose steps share one state and read best together.
import { constants, fdatasync, write } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
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
  /** Syncs of the journal (O_DSYNC group writes or fdatasync calls; not counting compaction's own). */
  syncs: number;
  compactions: number;
  /** Automatic compactions that failed (the journal kept growing; commits were not affected). */
  compactionFailures: number;
  /** Bytes of the journal's lines (while open, the file also holds zeros written ahead of them). */
  bytes: number;
}

/** A commit as it is written: its line, and the change parsed back from it. */
export interface EncodedCommit {
  line: string;
  change: JournalChange;
}

interface Pending {
  /** Encoded when the commit is made, or (a relaxed commit) only once its group is taken. */
  commit: EncodedCommit | (() => EncodedCommit);
  /** False: resolve once written, without waiting for an fdatasync (see `StoreCommitOptions`). */
  durable: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Upper bound of one group write, so a burst of large commits does not build one enormous buffer. */
const MAX_GROUP_BYTES = 8 * 1024 * 1024;
/** Zeros written (and synced) ahead of the journal's end at a time, once less than `LOW_WATER` is left. */
const EXTENT = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** Relaxed bytes kept in memory to be rewritten with the next durable group (see `#unsynced`). */
const MAX_UNSYNCED = 256 * 1024;
const O_DSYNC: number | undefined = constants.O_DSYNC;
const ZEROS = Buffer.alloc(EXTENT);

/** Opens the journal for writes that are durable when `write` returns (`O_DSYNC`); undefined where unsupported. */
export async function openDsync(path: string): Promise<FileHandle | undefined> {
  if (O_DSYNC === undefined) return undefined;
  return open(path, constants.O_WRONLY | O_DSYNC).catch(() => undefined);
}

/**
 * The append side of the journal, with group commit: while one write + fdatasync is in flight, new
 * commits queue up and all of them go out in the next single write + fdatasync. A commit resolves
 * only after its bytes are synced, and only then is it applied to the in-memory state — so a failed
 * write leaves both the view and the file as they were (the file is truncated back to its last good
 * size). Compaction runs between groups, so a commit arriving during it waits and is never lost.
 *
 * Two things make a durable commit cheaper, as databases do for their write-ahead logs:
 * - The file is zero-filled ahead of its end (`EXTENT` at a time, written and synced in the
 *   background). A commit then overwrites blocks the file already has: its sync flushes data only,
 *   not the file's size and block map through the filesystem's journal. Replay stops at the zeros,
 *   and `close()` cuts them off.
 * - A durable group is written through a second descriptor opened with `O_DSYNC`: the write returns
 *   once its bytes are on the disk — one call on the thread pool instead of a write and an fdatasync.
 *   Such a write makes only its own range durable, so bytes of relaxed commits written since the last
 *   sync are written again in front of it (same bytes, same place).
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
  /** The journal opened with `O_DSYNC` (durable groups), when `sync` is on and the platform has it. */
  #dsync: FileHandle | undefined;
  /** End of the zeros written and synced ahead of `#size` (equal to `#size` when there are none). */
  #allocated: number;
  #extending: Promise<void> | undefined;
  /** After a failed zero-fill (a full disk), none is tried again before the journal reaches this size. */
  #extendAfter = 0;
  /** Relaxed groups written since the last sync, from `#unsyncedFrom` on (see the class comment). */
  #unsynced: Buffer[] = [];
  #unsyncedFrom = 0;
  #unsyncedBytes = 0;
  /** More relaxed bytes than `MAX_UNSYNCED` since the last sync: the next durable group uses fdatasync. */
  #unsyncedOverflow = false;

  constructor(
    path: string,
    fh: FileHandle,
    size: number,
    state: OutboxState,
    options: { sync: boolean; compactAfterBytes: number; dsync?: FileHandle | undefined },
  ) {
    this.#path = path;
    this.#fh = fh;
    this.#size = size;
    this.#allocated = size;
    this.#dsync = options.sync ? options.dsync : undefined;
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
  commit(commit: EncodedCommit | (() => EncodedCommit), durable = true): Promise<void> {
    if (this.#closed) return Promise.reject(closedError(this.#path));
    return new Promise((resolve, reject) => {
      this.#queue.push({ commit, durable, resolve, reject });
      this.#kick();
    });
  }

  /** The commit encoded (at once if it was made lazily); one that cannot be is refused alone. */
  #encoded(pending: Pending): EncodedCommit | undefined {
    if (typeof pending.commit !== 'function') return pending.commit;
    try {
      pending.commit = pending.commit();
      return pending.commit;
    } catch (error) {
      this.stats.failedCommits++;
      pending.reject(error);
      return undefined;
    }
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
    await this.#extending;
    // A closed journal ends with its last line (the zeros ahead are only there while it is written).
    if (this.#allocated > this.#size) await this.#fh.truncate(this.#size).catch(() => {});
    await this.#dsync?.close().catch(() => {});
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
      while (take < this.#queue.length && (take === 0 || bytes < MAX_GROUP_BYTES)) {
        const encoded = this.#encoded(this.#queue[take] as Pending);
        if (!encoded) {
          this.#queue.splice(take, 1);
          continue;
        }
        bytes += encoded.line.length;
        take++;
      }
      if (take > 0) await this.#writeGroup(this.#queue.splice(0, take));
    }
  }

  async #writeGroup(group: Pending[]): Promise<void> {
    // Every commit of a group is encoded (`#loop` took only those).
    const lineOf = (pending: Pending) => (pending.commit as EncodedCommit).line;
    const buf = Buffer.from(
      group.length === 1 ? lineOf(group[0] as Pending) : group.map(lineOf).join(''),
      'utf8',
    );
    const durable = this.#sync && group.some((pending) => pending.durable);
    // Durable through the O_DSYNC descriptor, with the relaxed bytes since the last sync in front.
    const dsync = durable && !this.#unsyncedOverflow ? this.#dsync : undefined;
    const out = dsync && this.#unsyncedBytes > 0 ? Buffer.concat([...this.#unsynced, buf]) : buf;
    const at = out === buf ? this.#size : this.#unsyncedFrom;
    let written = 0;
    try {
      // Never into a range that is being zero-filled, nor truncate under it.
      if (this.#extending && (this.#dirty || at + out.length > this.#allocated)) await this.#extending;
      if (this.#dirty) await this.#cut();
      while (written < out.length) {
        // Mark first: a partial write must be cut off even if the next call throws.
        this.#dirty = true;
        const fd = dsync ? dsync.fd : this.#fh.fd;
        const bytesWritten = await writeAt(fd, out, written, at + written);
        if (bytesWritten === 0) throw Object.assign(new Error('the write made no progress'), { code: 'EIO' });
        written += bytesWritten;
      }
      this.stats.writes++;
      // A group of relaxed commits only is written, not synced: the next durable group's sync covers
      // its bytes too, and a process kill cannot lose what the kernel already has.
      if (durable) {
        if (!dsync) await datasync(this.#fh.fd);
        this.stats.syncs++;
        if (this.#dirUnsynced) {
          await syncDirectory(dirname(this.#path));
          this.#dirUnsynced = false;
        }
      }
    } catch (error) {
      // Nothing of the group is accepted: cut its bytes off so a restart cannot resurrect it. If even
      // that fails, `#dirty` stays set and the next group tries again before appending.
      if (this.#dirty) {
        await this.#extending;
        await this.#cut().catch(() => {});
      }
      const failure = writeError(error, this.#path);
      this.stats.failedCommits += group.length;
      for (const pending of group) pending.reject(failure);
      return;
    }
    this.#dirty = false;
    if (durable) {
      this.#unsynced = [];
      this.#unsyncedBytes = 0;
      this.#unsyncedOverflow = false;
    } else if (this.#sync && !this.#unsyncedOverflow) {
      if (this.#unsyncedBytes + buf.length > MAX_UNSYNCED) {
        this.#unsyncedOverflow = true;
        this.#unsynced = [];
        this.#unsyncedBytes = 0;
      } else {
        if (this.#unsyncedBytes === 0) this.#unsyncedFrom = this.#size;
        this.#unsynced.push(buf);
        this.#unsyncedBytes += buf.length;
      }
    }
    this.#size += buf.length;
    this.stats.bytes = this.#size;
    this.#extend();
    for (const pending of group) {
      this.#state.apply((pending.commit as EncodedCommit).change);
      this.stats.commits++;
      pending.resolve();
    }
  }

  /** Cuts the file back to its last good size (zeros ahead included: they are written again later). */
  async #cut(): Promise<void> {
    await this.#fh.truncate(this.#size);
    this.#dirty = false;
    this.#allocated = this.#size;
  }

  /**
   * Zero-fills the next `EXTENT` bytes past the end (in the background, between the writer's groups)
   * once less than `LOW_WATER` is left. Only with `sync` on: it saves nothing otherwise. A failure
   * (a full disk) gives the space back and is not retried before the journal has grown by `EXTENT`.
   */
  #extend(): void {
    if (!this.#sync || this.#extending || this.#closed) return;
    if (this.#allocated - this.#size >= LOW_WATER || this.#size < this.#extendAfter) return;
    const from = Math.max(this.#allocated, this.#size);
    const fd = this.#fh.fd;
    this.#extending = (async () => {
      let written = 0;
      try {
        while (written < EXTENT) {
          const n = await writeAt(fd, ZEROS, written, from + written);
          if (n === 0) throw Object.assign(new Error('the write made no progress'), { code: 'EIO' });
          written += n;
        }
        await datasync(fd);
        this.#allocated = from + EXTENT;
      } catch {
        this.#extendAfter = this.#size + EXTENT;
        if (written > 0) await this.#fh.truncate(from).catch(() => {});
      } finally {
        this.#extending = undefined;
      }
    })();
  }

  async #compact(): Promise<void> {
    const waiters = this.#compactWaiters.splice(0);
    try {
      await this.#extending;
      if (this.#dirty) await this.#cut();
      const next = await writeSnapshot(this.#path, this.#state, this.#sync);
      const old = this.#fh;
      const oldDsync = this.#dsync;
      this.#fh = next.fh;
      this.#size = next.size;
      this.#allocated = next.size;
      this.#dirUnsynced = !next.synced;
      // The snapshot was synced whole: nothing written before it is pending any more.
      this.#unsynced = [];
      this.#unsyncedBytes = 0;
      this.#unsyncedOverflow = false;
      this.#dsync = this.#sync ? await openDsync(this.#path) : undefined;
      await oldDsync?.close().catch(() => {});
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
