/** Mapping a database row to a `StoredRecord`, shared by the SQL stores. */
import type { StoredRecord } from '../../core/types.ts';

/** The columns `toRecord` reads, in one order for every SELECT. */
export const RECORD_COLUMNS =
  'scope, key, fingerprint, state, lock_token, locked_at, status, headers, body, created_at, expires_at, purge_at';

export interface RecordRow {
  scope: string;
  key: string;
  fingerprint: string;
  state: string;
  lock_token: string | null;
  locked_at: number | string | null;
  status: number | null;
  headers: string | null;
  body: string | null;
  created_at: number | string;
  expires_at: number | string | null;
  purge_at: number | string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function toRecord(row: RecordRow): StoredRecord {
  return {
    scope: row.scope,
    key: row.key,
    fingerprint: row.fingerprint,
    state: row.state === 'finished' ? 'finished' : 'started',
    lockToken: row.lock_token,
    lockedAt: num(row.locked_at),
    status: row.status,
    headers: row.headers === null ? null : (JSON.parse(row.headers) as Record<string, string>),
    body: row.body,
    createdAt: Number(row.created_at),
    expiresAt: num(row.expires_at),
    purgeAt: num(row.purge_at),
  };
}
