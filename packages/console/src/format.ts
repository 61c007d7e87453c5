import type { Entry, LogRecord } from '@landed/client';

/** "12 s", "4 min", "3 h", "2 d": how long ago, for a person scanning the list. */
export function age(since: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - since) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** What a person calls the write: the app's label, else the method and path (never the body). */
export function title(entry: Entry): string {
  if (entry.label) return entry.label;
  const path = URL.canParse(entry.url) ? new URL(entry.url).pathname : entry.url;
  return `${entry.method} ${path}`;
}

export function lastError(entry: Entry): string {
  if (entry.outcome?.reason) return entry.outcome.reason;
  if (!entry.lastError) return '';
  return entry.lastError.status === undefined ? entry.lastError.code : `HTTP ${entry.lastError.status}`;
}

export function describeRecord(record: LogRecord): string {
  if (record.type === 'transition') {
    return `${record.from ?? 'new'} → ${record.to}${record.reason ? ` (${record.reason})` : ''}`;
  }
  const answer = record.status !== undefined ? `HTTP ${record.status}` : (record.errorCode ?? 'no answer');
  const what = record.kind === 'lookup' ? 'lookup' : `attempt ${record.attempt}`;
  return `${what}: ${answer}${record.replayed ? ', replayed by the server' : ''} — ${record.result} in ${Math.round(record.durationMs)} ms`;
}

export function clock(at: number): string {
  return new Date(at).toLocaleTimeString();
}
