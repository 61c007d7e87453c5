import { LandedError } from '../../errors/LandedError.ts';
import type { Entry, LogRecord } from '../../types/entry.ts';
import type {
  OutboxStore,
  ServerFacts,
  StoreChange,
  StoreCommitOptions,
  StoreLoad,
} from '../../types/store.ts';
import type { FileStoreStats } from './Journal.ts';
import { JOURNAL_FILE, type Opened, openStore, QUARANTINE_FILE } from './open-store.ts';
import { type FileStoreOptions, resolveOptions } from './options.ts';
import { encodeRecord } from './record.ts';
import type { JournalChange } from './state.ts';

export { JOURNAL_FILE, QUARANTINE_FILE };

export interface FileStore extends OutboxStore {
  readonly kind: 'file';
  readonly dir: string;
  /** What the store has done so far (commits, group writes, syncs, compactions). */
  readonly stats: Readonly<FileStoreStats>;
  /** Rewrites the journal as a snapshot now (it also happens on its own past `compactAfterBytes`). */
  compact(): Promise<void>;
}

const idleStats: FileStoreStats = {
  commits: 0,
  failedCommits: 0,
  writes: 0,
  syncs: 0,
  compactions: 0,
  compactionFailures: 0,
  bytes: 0,
};

/**
 * The Node outbox store: an append-only journal (`journal.jsonl`) in `dir`, one checksummed line per
 * commit, synced to the disk before `commit()` resolves, with group commit, compaction, a torn-tail and
 * corrupt-line tolerant replay (damaged lines go to `quarantine.jsonl`) and a lock file.
 * The directory is opened on first use (`load()`, usually called by the client at start).
 */
export function fileStore(options: FileStoreOptions): FileStore {
  const settings = resolveOptions(options);
  let opening: Promise<Opened> | undefined;
  let opened: Opened | undefined;
  let closed = false;

  const ready = (): Promise<Opened> => {
    if (closed)
      return Promise.reject(
        new LandedError('STORE_UNAVAILABLE', `the file store of ${settings.dir} was closed; open a new one`),
      );
    opening ??= openStore(settings).then(
      (value) => (opened = value),
      (error: unknown) => {
        opening = undefined; // a later call may try again (the disk was remounted, the other process stopped)
        throw error;
      },
    );
    return opening;
  };

  return {
    kind: 'file',
    dir: settings.dir,
    get stats() {
      return opened?.journal.stats ?? idleStats;
    },
    async load(): Promise<StoreLoad> {
      const { state, quarantined } = await ready();
      return {
        entries: state.allEntries(),
        quarantined: [...quarantined],
        servers: [...state.servers.values()].map((facts) => ({ ...facts })),
      };
    },
    async getEntry(id: string): Promise<Entry | undefined> {
      return (await ready()).state.getEntry(id);
    },
    async commit(change: StoreChange, options?: StoreCommitOptions): Promise<void> {
      const { journal } = await ready();
      // Parsed back from the payload so memory holds exactly what a replay will read, shared with no one.
      const encode = () => {
        const payload = serialise(change, settings.dir);
        return { line: encodeRecord(payload), change: JSON.parse(payload) as JournalChange };
      };
      // A relaxed commit is encoded only when its group is written (after the answer it records has
      // reached the app), a durable one at once: a request waits for it.
      return options?.durable === false ? journal.commit(encode, false) : journal.commit(encode());
    },
    async readLog(entryId?: string): Promise<LogRecord[]> {
      return (await ready()).state.readLog(entryId);
    },
    async compact(): Promise<void> {
      await (await ready()).journal.compact();
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const current = opening && (await opening.catch(() => undefined));
      if (!current) return;
      await current.journal.close();
      await current.lock?.release();
    },
  };
}

function serialise(change: StoreChange, dir: string): string {
  const out: JournalChange = {};
  if (change.put && change.put.length > 0) out.put = change.put as Entry[];
  if (change.remove && change.remove.length > 0) out.remove = change.remove as string[];
  if (change.servers && change.servers.length > 0) out.servers = change.servers as ServerFacts[];
  // `log` last: a log-only line is recognised by its first characters (see `isLogOnly`).
  if (change.log && change.log.length > 0) out.log = change.log as LogRecord[];
  try {
    return JSON.stringify(out);
  } catch (error) {
    throw new LandedError(
      'STORE_WRITE_FAILED',
      `the change cannot be written to ${dir}: it is not JSON (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
}
