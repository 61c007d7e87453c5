// Over 300 lines with one concern: the outbox records in IndexedDB (their layout, the redo record of a multi-entry commit, loading, quarantine, the logs), each read and written against the same keys.
import type { Entry, LogRecord } from '../../types/entry.ts';
import type {
  OutboxStore,
  QuarantinedRecord,
  ServerFacts,
  StoreChange,
  StoreLoad,
} from '../../types/store.ts';
import { unavailableError, writeError } from './errors.ts';
import { opener } from './open.ts';
import {
  boundLog,
  COMMIT_PREFIX,
  ENTRY_PREFIX,
  type EntryRecord,
  excerptOf,
  LOG_PREFIX,
  parseArchive,
  parseEntryRecord,
  parseIntent,
  parseServer,
  QUARANTINE_PREFIX,
  RECORD_VERSION,
  SERVER_PREFIX,
} from './records.ts';
import { strictView } from './strict.ts';

export interface LocalforageStoreOptions {
  /** IndexedDB database name: one per app (and per outbox, if an app keeps several). @default 'landed' */
  name?: string;
  /** Object store inside the database. @default 'outbox' */
  storeName?: string;
  /** How long to wait for IndexedDB to open before failing with `STORE_UNAVAILABLE`. @default 5_000 */
  openTimeoutMs?: number;
  /** Most log records kept per entry (the first ones and the latest ones). @default 500 */
  maxLogPerEntry?: number;
  /** How long the log of a removed entry stays readable through `readLog()`. @default 604_800_000 (7 days) */
  keepRemovedLogMs?: number;
  /**
   * `'strict'`: every durable commit (a write accepted, every change but an attempt's outcome) is
   * made of IndexedDB transactions the browser flushes to the disk before they complete, so an
   * accepted write survives a power cut or an OS crash too, for a flush per commit. `'relaxed'`: the
   * browsers' own default, which survives a tab or browser crash. @default 'relaxed'
   */
  durability?: 'relaxed' | 'strict';
}

/**
 * The browser outbox store: localforage over IndexedDB, one record per entry (`entry:<id>`, the entry
 * and its own log batch) — never a shared array, so tabs writing different entries never overwrite
 * each other.
 *
 * Atomicity without multi-key transactions: a commit that touches one entry (every commit the client
 * makes while writing and sending) is one `setItem` of that entry's record, a single IndexedDB
 * transaction. A commit that touches several entries first writes a redo record (`commit:<uuid>`)
 * holding the whole change, applies it entry by entry, then deletes it; `load()` re-applies any redo
 * record it finds (removes always, puts only over an older copy), so a crash half-way never leaves
 * half a change standing. Removing an entry archives its log (`log:<id>`) before deleting the entry:
 * a crash in between leaves the entry and a stale archive, and the entry wins.
 */
export function localforageStore(options: LocalforageStoreOptions = {}): OutboxStore {
  const name = options.name ?? 'landed';
  const storeName = options.storeName ?? 'outbox';
  const label = `${name}/${storeName}`;
  const maxLog = options.maxLogPerEntry ?? 500;
  const keepRemovedLogMs = options.keepRemovedLogMs ?? 604_800_000;
  const open = opener(name, storeName, options.openTimeoutMs ?? 5_000);
  const strict = options.durability === 'strict';
  let onDisk: LocalForage | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function read(db: LocalForage, key: string): Promise<unknown> {
    try {
      return await db.getItem(key);
    } catch (error) {
      throw unavailableError(error, label);
    }
  }

  async function write(db: LocalForage, key: string, value: unknown): Promise<void> {
    try {
      await db.setItem(key, value);
    } catch (error) {
      throw writeError(error, label);
    }
  }

  async function erase(db: LocalForage, key: string): Promise<void> {
    try {
      await db.removeItem(key);
    } catch (error) {
      throw writeError(error, label);
    }
  }

  async function readRecord(db: LocalForage, id: string): Promise<EntryRecord | undefined> {
    const key = `${ENTRY_PREFIX}${id}`;
    const parsed = parseEntryRecord(key, await read(db, key));
    return parsed.ok ? parsed.record : undefined;
  }

  /** Applies the part of `change` that concerns entry `id`: at most one put and one remove of one key. */
  async function applyTo(db: LocalForage, id: string, change: StoreChange, redo: boolean): Promise<void> {
    const logs = (change.log ?? []).filter((record) => record.entryId === id);
    const put = (change.put ?? []).findLast((entry) => entry.id === id);
    if (change.remove?.includes(id)) {
      const existing = await readRecord(db, id);
      const archived = existing ? undefined : parseArchive(await read(db, `${LOG_PREFIX}${id}`));
      const log = [...(existing?.log ?? archived?.log ?? []), ...logs];
      if (log.length > 0)
        await write(db, `${LOG_PREFIX}${id}`, {
          v: RECORD_VERSION,
          entryId: id,
          removedAt: Date.now(),
          log: boundLog(log, maxLog),
        });
      await erase(db, `${ENTRY_PREFIX}${id}`);
      return;
    }
    if (put) {
      // A new entry has no record yet: skipping the read keeps `write()` to one IndexedDB transaction.
      const creating = !redo && logs.some((record) => record.type === 'transition' && record.from === null);
      const existing = creating ? undefined : await readRecord(db, id);
      if (redo && existing && existing.entry.updatedAt >= put.updatedAt) return;
      await write(db, `${ENTRY_PREFIX}${id}`, {
        v: RECORD_VERSION,
        entry: put,
        log: boundLog([...(existing?.log ?? []), ...logs], maxLog),
      });
      return;
    }
    if (logs.length === 0) return;
    const existing = await readRecord(db, id);
    if (existing) {
      await write(db, `${ENTRY_PREFIX}${id}`, {
        ...existing,
        log: boundLog([...existing.log, ...logs], maxLog),
      });
      return;
    }
    const archived = parseArchive(await read(db, `${LOG_PREFIX}${id}`));
    await write(db, `${LOG_PREFIX}${id}`, {
      v: RECORD_VERSION,
      entryId: id,
      removedAt: archived?.removedAt ?? Date.now(),
      log: boundLog([...(archived?.log ?? []), ...logs], maxLog),
    });
  }

  function affected(change: StoreChange): string[] {
    const ids = new Set<string>();
    for (const entry of change.put ?? []) ids.add(entry.id);
    for (const id of change.remove ?? []) ids.add(id);
    for (const record of change.log ?? []) ids.add(record.entryId);
    return [...ids];
  }

  async function apply(db: LocalForage, change: StoreChange): Promise<void> {
    // One key per origin, replaced whole: each is its own atomic write, whatever else the commit holds.
    for (const facts of change.servers ?? []) await write(db, `${SERVER_PREFIX}${facts.origin}`, facts);
    const ids = affected(change);
    if (ids.length === 0) return;
    if (ids.length === 1) return applyTo(db, ids[0] as string, change, false);
    const intent = `${COMMIT_PREFIX}${crypto.randomUUID()}`;
    await write(db, intent, { v: RECORD_VERSION, at: Date.now(), change });
    for (const id of ids) await applyTo(db, id, change, false);
    await erase(db, intent).catch(() => {
      // Left behind, it is re-applied by the next load(): harmless, every step is idempotent.
    });
  }

  /** Moves an unreadable record aside (never deleting it) so it is reported once, not at every start. */
  async function quarantine(
    db: LocalForage,
    key: string,
    value: unknown,
    reason: string,
  ): Promise<QuarantinedRecord> {
    const record: QuarantinedRecord = { location: `${label}/${key}`, reason, excerpt: excerptOf(value) };
    try {
      await db.setItem(`${QUARANTINE_PREFIX}${key}`, {
        at: Date.now(),
        reason,
        excerpt: record.excerpt,
        raw: value,
      });
      await db.removeItem(key);
    } catch {
      // Could not move it (quota): it stays where it is, is skipped, and is reported again next time.
    }
    return record;
  }

  async function scan(db: LocalForage): Promise<Array<[string, unknown]>> {
    const all: Array<[string, unknown]> = [];
    try {
      await db.iterate((value, key) => {
        all.push([key, value]);
      });
    } catch (error) {
      throw unavailableError(error, label);
    }
    return all;
  }

  async function load(): Promise<StoreLoad> {
    const db = await open();
    let all = await scan(db);
    const intents = all.filter(([key]) => key.startsWith(COMMIT_PREFIX));
    if (intents.length > 0) {
      const redo = queue.then(async () => {
        for (const [key, value] of intents) {
          const intent = parseIntent(value);
          if (intent) for (const id of affected(intent.change)) await applyTo(db, id, intent.change, true);
          await erase(db, key);
        }
      });
      queue = redo.catch(() => {});
      await redo;
      all = await scan(db);
    }
    const entries: Entry[] = [];
    const servers: ServerFacts[] = [];
    const quarantined: QuarantinedRecord[] = [];
    const now = Date.now();
    for (const [key, value] of all) {
      if (key.startsWith(QUARANTINE_PREFIX) || key.startsWith(COMMIT_PREFIX)) continue;
      if (key.startsWith(SERVER_PREFIX)) {
        const facts = parseServer(key, value);
        if (typeof facts === 'string') quarantined.push(await quarantine(db, key, value, facts));
        else servers.push(facts);
        continue;
      }
      if (key.startsWith(LOG_PREFIX)) {
        const archive = parseArchive(value);
        if (archive && now - archive.removedAt > keepRemovedLogMs) await erase(db, key).catch(() => {});
        continue;
      }
      const parsed = key.startsWith(ENTRY_PREFIX)
        ? parseEntryRecord(key, value)
        : ({ ok: false, reason: 'not a Landed record' } as const);
      if (!parsed.ok) {
        quarantined.push(await quarantine(db, key, value, parsed.reason));
        continue;
      }
      entries.push(parsed.record.entry);
      if (parsed.badLog > 0) {
        quarantined.push({
          location: `${label}/${key}#log`,
          reason: `${parsed.badLog} unreadable log record(s) skipped`,
          excerpt: excerptOf(value).slice(0, 200),
        });
      }
    }
    entries.sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : 1));
    return servers.length > 0 ? { entries, quarantined, servers } : { entries, quarantined };
  }

  return {
    kind: 'localforage',
    load,
    async getEntry(id) {
      return (await readRecord(await open(), id))?.entry;
    },
    commit(change, commitOptions) {
      // Copied now: the caller may reuse its objects while this commit waits its turn.
      const copy = structuredClone(change);
      // An attempt's outcome (`durable: false`) may stay relaxed: the next attempt learns it again.
      const flush = strict && commitOptions?.durable !== false;
      const run = queue.then(async () => {
        const db = await open();
        if (!flush) return apply(db, copy);
        onDisk ??= strictView(db);
        return apply(onDisk, copy);
      });
      queue = run.catch(() => {});
      return run;
    },
    async readLog(entryId) {
      const db = await open();
      // Read after the commits already handed to this store.
      await queue;
      if (entryId !== undefined) {
        const record = await readRecord(db, entryId);
        return record?.log ?? parseArchive(await read(db, `${LOG_PREFIX}${entryId}`))?.log ?? [];
      }
      const log: LogRecord[] = [];
      const live = new Set<string>();
      const archives: LogRecord[][] = [];
      for (const [key, value] of await scan(db)) {
        if (key.startsWith(ENTRY_PREFIX)) {
          const parsed = parseEntryRecord(key, value);
          if (parsed.ok) {
            live.add(parsed.record.entry.id);
            log.push(...parsed.record.log);
          }
        } else if (key.startsWith(LOG_PREFIX)) {
          const archive = parseArchive(value);
          if (archive) archives.push(archive.log);
        }
      }
      // An archive beside a live entry is the trace of a removal that did not finish: the entry wins.
      for (const archived of archives) if (!live.has(archived[0]?.entryId ?? '')) log.push(...archived);
      // Stable: records of one entry keep their order when two share a millisecond.
      return log.sort((a, b) => a.at - b.at);
    },
    async close() {
      await queue;
    },
  };
}
