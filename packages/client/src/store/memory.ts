import type { Entry, LogRecord } from '../types/entry.ts';
import type { OutboxStore, ServerFacts, StoreChange, StoreLoad } from '../types/store.ts';
import { cloneRecord } from './file/clone.ts';

/**
 * An outbox store that lives in memory: for tests and simulations. It is not durable: a process exit
 * loses everything, so never use it where a write must survive. Entries are deep-copied in and out so
 * the client cannot share mutable state with "storage", as with a real store. As in the file store, a
 * removed entry's log goes with it, so a long run keeps only the logs of entries still in the outbox.
 */
export interface MemoryStore extends OutboxStore {
  /** Number of commits applied so far (tests use it to see that a change was persisted). */
  readonly commits: number;
}

export function memoryStore(): MemoryStore {
  const entries = new Map<string, Entry>();
  const servers = new Map<string, ServerFacts>();
  /** Each entry's records, with their place in commit order (`readLog()` merges them back by it). */
  const logs = new Map<string, Array<{ at: number; record: LogRecord }>>();
  let recorded = 0;
  let commits = 0;
  // Entries and log records are JSON by contract: a plain JSON copy is several times cheaper than
  // structuredClone, and this store sits on the latency path of every test and simulation.
  const copy = cloneRecord;
  return {
    kind: 'memory',
    get commits() {
      return commits;
    },
    async load(): Promise<StoreLoad> {
      return {
        entries: [...entries.values()].map(copy),
        quarantined: [],
        servers: [...servers.values()].map(copy),
      };
    },
    async getEntry(id) {
      const entry = entries.get(id);
      return entry && copy(entry);
    },
    async commit(change: StoreChange) {
      for (const entry of change.put ?? []) entries.set(entry.id, copy(entry));
      for (const facts of change.servers ?? []) servers.set(facts.origin, copy(facts));
      for (const id of change.remove ?? []) {
        entries.delete(id);
        logs.delete(id);
      }
      for (const record of change.log ?? []) {
        let list = logs.get(record.entryId);
        if (!list) {
          list = [];
          logs.set(record.entryId, list);
        }
        list.push({ at: recorded++, record: copy(record) });
      }
      commits++;
    },
    async readLog(entryId) {
      if (entryId !== undefined) return (logs.get(entryId) ?? []).map((item) => copy(item.record));
      return [...logs.values()]
        .flat()
        .sort((a, b) => a.at - b.at)
        .map((item) => copy(item.record));
    },
    async close() {},
  };
}
