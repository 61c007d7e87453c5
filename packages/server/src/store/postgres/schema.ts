/** The PostgreSQL schema of the key records. Times are epoch milliseconds (BIGINT). */
export function postgresSchema(table: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${table} (
  scope       TEXT     COLLATE "C" NOT NULL,
  key         TEXT     COLLATE "C" NOT NULL,
  fingerprint TEXT     NOT NULL,
  state       TEXT     NOT NULL CHECK (state IN ('started', 'finished')),
  lock_token  TEXT,
  locked_at   BIGINT,
  status      SMALLINT,
  headers     TEXT,
  body        TEXT,
  created_at  BIGINT   NOT NULL,
  finished_at BIGINT,
  expires_at  BIGINT,
  purge_at    BIGINT,
  PRIMARY KEY (scope, key)
) WITH (fillfactor = 70); -- room on each page, so finishing a record is a HOT update that touches no index
-- One index serves both reaps (bodies past expires_at, tombstones past purge_at = expires_at + a fixed
-- grace): every commit writes one index page fewer than with an index per column.
CREATE INDEX IF NOT EXISTS ${table}_expires_at ON ${table} (expires_at);
`;
}
