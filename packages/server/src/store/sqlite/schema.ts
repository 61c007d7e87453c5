/** The SQLite schema of the key records, created on open (idempotent). */
export function sqliteSchema(table: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${table} (
  scope       TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  state       TEXT    NOT NULL CHECK (state IN ('started', 'finished')),
  lock_token  TEXT,
  locked_at   INTEGER,
  status      INTEGER,
  headers     TEXT,
  body        TEXT,
  created_at  INTEGER NOT NULL,
  finished_at INTEGER,
  expires_at  INTEGER,
  purge_at    INTEGER,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
-- One index serves both reaps (bodies past expires_at, tombstones past purge_at = expires_at + a fixed
-- grace): every commit writes one index page fewer than with an index per column.
CREATE INDEX IF NOT EXISTS ${table}_expires_at ON ${table} (expires_at);
`;
}
