import type { Entry, LogRecord } from '../../types/entry.ts';
import type { ServerFacts } from '../../types/store.ts';
import { cloneJson, freezeEntry } from './clone.ts';

/** What one journal line holds: a commit, or (first line) the journal header `{ v }`. */
export interface JournalChange {
  v?: number;
  put?: Entry[];
  remove?: string[];
  log?: LogRecord[];
  /** What the client learned about servers, by origin (the last line naming an origin wins). */
  servers?: ServerFacts[];
}

export const JOURNAL_VERSION = 1;
/** Log records per snapshot line: big enough to keep snapshots compact, small enough that one damaged line loses little. */
const LOG_RECORDS_PER_LINE = 256;
/**
 * Entries per snapshot line, and a bound on such a line's size. Every line costs a checksum, a parse
 * call and a shape check at start-up on top of its bytes: 16 entries to a line takes a third off the
 * per-entry cost of loading a large outbox. A damaged snapshot line (bit rot: snapshots are written
 * whole and renamed, never torn) then sets aside up to 16 entries, each kept in the quarantine file.
 */
const ENTRIES_PER_LINE = 16;
const ENTRY_LINE_CHARS = 64 * 1024;

/**
 * A line that holds log records only (`{"log":[…]}`: what a snapshot writes after its entries), kept
 * as its checked text until a log is read. Start-up needs the entries, not their history: parsing
 * 100,000s of log records, and keeping them as objects, was a fifth of the time to the first attempt.
 */
export class LazyLog {
  readonly #payload: string;
  constructor(payload: string) {
    this.#payload = payload;
  }

  /** The line's records; none if the line, though its checksum matched, is not what it claims to be. */
  records(): LogRecord[] {
    let change: JournalChange | string;
    try {
      change = asChange(JSON.parse(this.#payload));
    } catch {
      return [];
    }
    return typeof change === 'string' ? [] : (change.log ?? []);
  }
}

/** Whether a checked payload holds log records only, without parsing it (`serialise` and `snapshot` write `log` last). */
export function isLogOnly(text: string, start: number): boolean {
  return text.startsWith('{"log":[', start);
}

/** Checks the shape of a decoded line before anything of it is applied (a line applies whole or not at all). */
export function asChange(value: unknown): JournalChange | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'record is not an object';
  const change = value as Record<string, unknown>;
  if (change.v !== undefined && typeof change.v !== 'number') return 'header version is not a number';
  const { put, remove, log, servers } = change;
  if (servers !== undefined) {
    if (!Array.isArray(servers)) return '`servers` is not a list';
    for (const facts of servers) {
      if (typeof facts !== 'object' || facts === null || typeof (facts as ServerFacts).origin !== 'string')
        return 'a server has no origin';
      const { retentionSec } = facts as ServerFacts;
      if (retentionSec !== undefined && (typeof retentionSec !== 'number' || !(retentionSec > 0)))
        return "a server's retention is not a positive number";
    }
  }
  if (put !== undefined) {
    if (!Array.isArray(put)) return '`put` is not a list';
    for (const entry of put) {
      if (typeof entry !== 'object' || entry === null || typeof (entry as Entry).id !== 'string')
        return 'an entry has no id';
    }
  }
  if (remove !== undefined) {
    if (!Array.isArray(remove) || remove.some((id) => typeof id !== 'string'))
      return '`remove` is not a list of ids';
  }
  if (log !== undefined) {
    if (!Array.isArray(log)) return '`log` is not a list';
    for (const record of log) {
      if (
        typeof record !== 'object' ||
        record === null ||
        typeof (record as LogRecord).entryId !== 'string'
      ) {
        return 'a log record has no entryId';
      }
    }
  }
  return change as JournalChange;
}

/**
 * The outbox as the journal describes it: live entries and a bounded log per entry. Applying every
 * line of a journal in order gives the same state as the commits that wrote it, and a snapshot of
 * this state replays to itself — that is what lets compaction replace the journal.
 *
 * Log records are kept in one list in commit order and bounded per entry when read: appending must be
 * cheap, because start-up replays one record per line for 100,000s of lines, while reads are rare
 * (the console, reports). The list is trimmed to what is live whenever a snapshot is taken, so it
 * stays within what the journal itself holds.
 */
export class OutboxState {
  readonly entries = new Map<string, Entry>();
  readonly servers = new Map<string, ServerFacts>();
  /** Records, and log-only lines not parsed yet (see `LazyLog`), in commit order. */
  #log: Array<LogRecord | LazyLog> = [];
  #lazyLines = 0;
  /** A removed entry's log goes with it: records of `id` before this index are gone. */
  readonly #removedBefore = new Map<string, number>();
  readonly #maxLogRecordsPerEntry: number;
  /** Entry puts and removals applied so far: against the live entries, how much of the journal is superseded. */
  changesApplied = 0;

  constructor(maxLogRecordsPerEntry: number) {
    this.#maxLogRecordsPerEntry = maxLogRecordsPerEntry;
  }

  /** Takes ownership of `change` (it must not be shared with the caller). */
  apply(change: JournalChange): void {
    if (change.put) {
      for (const entry of change.put) this.entries.set(entry.id, entry);
      this.changesApplied += change.put.length;
    }
    if (change.remove) {
      this.changesApplied += change.remove.length;
      for (const id of change.remove) {
        this.entries.delete(id);
        this.#removedBefore.set(id, this.#log.length);
      }
    }
    if (change.log) for (const record of change.log) this.#log.push(record);
    if (change.servers) for (const facts of change.servers) this.servers.set(facts.origin, facts);
  }

  /** Applies a checked log-only line without parsing it yet. */
  applyLazyLog(payload: string): void {
    this.#log.push(new LazyLog(payload));
    this.#lazyLines++;
  }

  /** Parses the log-only lines kept as text, in place; removals keep pointing at the same records. */
  #expand(): LogRecord[] {
    if (this.#lazyLines === 0) return this.#log as LogRecord[];
    const out: LogRecord[] = [];
    const at: number[] = new Array(this.#log.length + 1);
    for (let i = 0; i < this.#log.length; i++) {
      at[i] = out.length;
      const item = this.#log[i] as LogRecord | LazyLog;
      if (item instanceof LazyLog) for (const record of item.records()) out.push(record);
      else out.push(item);
    }
    at[this.#log.length] = out.length;
    for (const [id, index] of this.#removedBefore) this.#removedBefore.set(id, at[index] as number);
    this.#log = out;
    this.#lazyLines = 0;
    return out;
  }

  getEntry(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    return entry && cloneJson(entry);
  }

  /**
   * Every entry, read-only: the objects this state holds, frozen rather than copied (a later commit
   * replaces an entry with a new object, never changes one), so loading 100,000 entries allocates no
   * second set of them.
   */
  allEntries(): Entry[] {
    const out: Entry[] = new Array(this.entries.size);
    let i = 0;
    for (const entry of this.entries.values()) out[i++] = freezeEntry(entry);
    return out;
  }

  /** One entry's log, or every log record oldest first. */
  readLog(entryId?: string): LogRecord[] {
    return this.#liveLog(entryId).map(cloneJson);
  }

  /** Live records (not removed, the newest `max` per entry), oldest first. */
  #liveLog(entryId?: string): LogRecord[] {
    const max = this.#maxLogRecordsPerEntry;
    const kept = new Map<string, number>();
    const out: LogRecord[] = [];
    const log = this.#expand();
    for (let i = log.length - 1; i >= 0; i--) {
      const record = log[i] as LogRecord;
      if (entryId !== undefined && record.entryId !== entryId) continue;
      const count = kept.get(record.entryId) ?? 0;
      if (count >= max || i < (this.#removedBefore.get(record.entryId) ?? 0)) continue;
      kept.set(record.entryId, count + 1);
      out.push(record);
    }
    return out.reverse();
  }

  /** The payloads of a journal equivalent to this state: a header, one line per entry, then the log in order. */
  *snapshot(): Generator<string> {
    // Trim the in-memory log to what the snapshot holds (the same state, so safe even if writing fails).
    const log = this.#liveLog();
    this.#log = log;
    this.#removedBefore.clear();
    yield JSON.stringify({ v: JOURNAL_VERSION });
    if (this.servers.size > 0) yield JSON.stringify({ servers: [...this.servers.values()] });
    let batch: string[] = [];
    let chars = 0;
    for (const entry of this.entries.values()) {
      const json = JSON.stringify(entry);
      if (batch.length > 0 && (batch.length >= ENTRIES_PER_LINE || chars + json.length > ENTRY_LINE_CHARS)) {
        yield `{"put":[${batch.join(',')}]}`;
        batch = [];
        chars = 0;
      }
      batch.push(json);
      chars += json.length;
    }
    if (batch.length > 0) yield `{"put":[${batch.join(',')}]}`;
    for (let i = 0; i < log.length; i += LOG_RECORDS_PER_LINE) {
      yield JSON.stringify({ log: log.slice(i, i + LOG_RECORDS_PER_LINE) });
    }
  }

  /** True when most entry changes applied so far are superseded (compacting would shrink the journal a lot). */
  mostlySuperseded(): boolean {
    return this.changesApplied > 2 * this.entries.size;
  }
}
