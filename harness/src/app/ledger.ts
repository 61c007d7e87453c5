/**
 * The reference app's business table: an append-only ledger with no unique constraint, on purpose —
 * a write applied twice shows up as two rows, which is exactly what the Checker looks for.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { LedgerRow } from '../checker/history.ts';

export interface LedgerInsert {
  writeId: string;
  key: string | null;
  op: string;
  payload: string;
  principal: string;
  at: number;
}

export const SQLITE_LEDGER = `CREATE TABLE IF NOT EXISTS ledger (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  write_id TEXT NOT NULL,
  key TEXT,
  op TEXT NOT NULL,
  payload TEXT NOT NULL,
  principal TEXT NOT NULL,
  at INTEGER NOT NULL
)`;

export const POSTGRES_LEDGER = `CREATE TABLE IF NOT EXISTS ledger (
  id BIGSERIAL PRIMARY KEY,
  write_id TEXT NOT NULL,
  key TEXT,
  op TEXT NOT NULL,
  payload TEXT NOT NULL,
  principal TEXT NOT NULL,
  at BIGINT NOT NULL
)`;

const INSERT = 'INSERT INTO ledger (write_id, key, op, payload, principal, at) VALUES';

export function insertSqlite(db: DatabaseSync, row: LedgerInsert): number {
  const result = db
    .prepare(`${INSERT} (?, ?, ?, ?, ?, ?)`)
    .run(row.writeId, row.key, row.op, row.payload, row.principal, row.at);
  return Number(result.lastInsertRowid);
}

/** Anything with pg's `query` (a `Client` or a `PoolClient` inside the store's transaction). */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export async function insertPostgres(tx: PgQueryable, row: LedgerInsert): Promise<number> {
  const result = await tx.query(`${INSERT} ($1, $2, $3, $4, $5, $6) RETURNING id`, [
    row.writeId,
    row.key,
    row.op,
    row.payload,
    row.principal,
    row.at,
  ]);
  return Number(result.rows[0]?.id);
}

type RawRow = {
  id: number | string;
  write_id: string;
  key: string | null;
  op: string;
  payload: string;
  principal: string;
  at: number | string;
};

function toLedgerRow(r: RawRow): LedgerRow {
  return {
    id: Number(r.id),
    writeId: r.write_id,
    key: r.key,
    op: r.op,
    payload: r.payload,
    principal: r.principal,
    at: Number(r.at),
  };
}

/** Reads the whole ledger straight from the database file (never through a proxy). */
export async function readSqliteLedger(path: string): Promise<LedgerRow[]> {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (
      db
        .prepare('SELECT id, write_id, key, op, payload, principal, at FROM ledger ORDER BY id')
        .all() as unknown as RawRow[]
    ).map(toLedgerRow);
  } finally {
    db.close();
  }
}

export async function readPostgresLedger(connectionString: string): Promise<LedgerRow[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const result = await client.query(
      'SELECT id, write_id, key, op, payload, principal, at FROM ledger ORDER BY id',
    );
    return (result.rows as RawRow[]).map(toLedgerRow);
  } finally {
    await client.end();
  }
}
