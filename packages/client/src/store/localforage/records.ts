import type { Entry, LogRecord } from '../../types/entry.ts';
import type { ServerFacts, StoreChange } from '../../types/store.ts';

/**
 * What the localforage store keeps under each key. One record per entry holds the entry and its own
 * log batch, so the common commit (one entry, its new log records) is a single IndexedDB
 * transaction: atomic without a multi-key transaction, which localforage does not offer.
 */
export const ENTRY_PREFIX = 'entry:';
/** The log of a removed entry (confirmed and compacted, discarded, purged), kept for `readLog()`. */
export const LOG_PREFIX = 'log:';
/** A multi-entry commit written before it is applied (a redo record, see `localforage-store.ts`). */
export const COMMIT_PREFIX = 'commit:';
/** What the client knows about one server (`server:<origin>`), one record each: a commit names one. */
export const SERVER_PREFIX = 'server:';
/** A record that could not be read, moved aside (never deleted) so it is reported once. */
export const QUARANTINE_PREFIX = 'quarantine:';

export const RECORD_VERSION = 1;

export interface EntryRecord {
  v: typeof RECORD_VERSION;
  entry: Entry;
  log: LogRecord[];
}

export interface LogArchive {
  v: typeof RECORD_VERSION;
  entryId: string;
  removedAt: number;
  log: LogRecord[];
}

export interface CommitIntent {
  v: typeof RECORD_VERSION;
  at: number;
  change: StoreChange;
}

export interface QuarantineRecord {
  at: number;
  reason: string;
  excerpt: string;
}

const METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const STATES = new Set(['queued', 'sending', 'uncertain', 'confirmed', 'rejected', 'expired']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** Says what is wrong with a stored entry, or `undefined` when the client can trust it. */
export function entryProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the entry is not an object';
  for (const field of ['id', 'key', 'url', 'lane'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '')
      return `entry.${field} is not a non-empty string`;
  }
  if (!METHODS.has(value.method as string)) return 'entry.method is not POST, PUT, PATCH or DELETE';
  if (!STATES.has(value.state as string)) return 'entry.state is not a known state';
  for (const field of ['seq', 'attempts', 'createdAt', 'updatedAt'] as const) {
    if (!isFiniteNumber(value[field])) return `entry.${field} is not a number`;
  }
  if (value.body !== undefined && typeof value.body !== 'string') return 'entry.body is not a string';
  if (value.principal !== undefined && typeof value.principal !== 'string')
    return 'entry.principal is not a string';
  if (value.outcome !== undefined && !isObject(value.outcome)) return 'entry.outcome is not an object';
  return undefined;
}

export function isLogRecord(value: unknown): value is LogRecord {
  return (
    isObject(value) &&
    (value.type === 'attempt' || value.type === 'transition') &&
    typeof value.entryId === 'string' &&
    isFiniteNumber(value.at)
  );
}

export type Parsed = { ok: true; record: EntryRecord; badLog: number } | { ok: false; reason: string };

/** Reads an entry record defensively: a damaged log line never costs the entry, a damaged entry is quarantined. */
export function parseEntryRecord(key: string, value: unknown): Parsed {
  if (!isObject(value)) return { ok: false, reason: 'not a Landed entry record' };
  if (value.v !== RECORD_VERSION) return { ok: false, reason: `unknown record version ${String(value.v)}` };
  const problem = entryProblem(value.entry);
  if (problem) return { ok: false, reason: problem };
  const entry = value.entry as unknown as Entry;
  if (key !== `${ENTRY_PREFIX}${entry.id}`)
    return { ok: false, reason: `stored under ${key} but its id is ${entry.id}` };
  const raw = Array.isArray(value.log) ? value.log : [];
  const log = raw.filter(isLogRecord);
  return { ok: true, record: { v: RECORD_VERSION, entry, log }, badLog: raw.length - log.length };
}

export function parseArchive(value: unknown): LogArchive | undefined {
  if (
    !isObject(value) ||
    value.v !== RECORD_VERSION ||
    typeof value.entryId !== 'string' ||
    !Array.isArray(value.log)
  )
    return undefined;
  return {
    v: RECORD_VERSION,
    entryId: value.entryId,
    removedAt: isFiniteNumber(value.removedAt) ? value.removedAt : 0,
    log: value.log.filter(isLogRecord),
  };
}

export function parseServer(key: string, value: unknown): ServerFacts | string {
  if (!isObject(value) || typeof value.origin !== 'string' || key !== `${SERVER_PREFIX}${value.origin}`)
    return 'not a server record of this key';
  if (!isFiniteNumber(value.heardAt)) return 'server.heardAt is not a number';
  if (value.retentionSec !== undefined && !(isFiniteNumber(value.retentionSec) && value.retentionSec > 0))
    return 'server.retentionSec is not a positive number';
  return value as unknown as ServerFacts;
}

export function parseIntent(value: unknown): CommitIntent | undefined {
  if (!isObject(value) || value.v !== RECORD_VERSION || !isFiniteNumber(value.at) || !isObject(value.change))
    return undefined;
  return value as unknown as CommitIntent;
}

/** At most the first 200 characters of what was stored, for a person to inspect. */
export function excerptOf(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.slice(0, 200);
}

/**
 * Keeps an entry's log bounded: an entry left uncertain for a day can gather thousands of attempts,
 * and the whole batch is rewritten with each transition. The first records (how it started) and the
 * latest (what it does now) are what a person reads.
 */
export function boundLog(log: LogRecord[], max: number): LogRecord[] {
  if (log.length <= max) return log;
  const head = Math.min(20, Math.floor(max / 4));
  return [...log.slice(0, head), ...log.slice(log.length - (max - head))];
}
