/**
 * Verification by SQL: the experiment's query runs against the target's own database (a SQLite file
 * opened read-only, or PostgreSQL), never through the proxy. Each row is one application of a write,
 * so a write applied twice shows as two rows.
 */
import { DatabaseSync } from 'node:sqlite';
import type { LedgerRow } from '../checker/history.ts';
import { principalOf } from '../checker/history.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import type { SqlDatabase } from './Experiment.ts';
import { type SentWrite, storedPayload } from './payload.ts';

export async function viaSql(
  database: SqlDatabase,
  query: string,
  writes: readonly SentWrite[],
): Promise<LedgerRow[]> {
  const found = await runQuery(database, query);
  const sent = new Map(writes.map((w) => [w.fields.writeId, w]));
  const rows: LedgerRow[] = [];
  for (const r of found) {
    if (!('writeId' in r))
      throw new HarnessError(
        'VERIFY_FAILED',
        `The verification query must return a "writeId" column (e.g. SELECT order_id AS "writeId", body AS payload FROM orders); it returned ${Object.keys(r).join(', ') || 'no columns'}.`,
      );
    // Rows of earlier runs and of other writers are not this run's to judge.
    const w = sent.get(String(r.writeId));
    if (!w) continue;
    const stored = typeof r.payload === 'string' ? parseJson(r.payload) : r.payload;
    rows.push({
      id: rows.length + 1,
      writeId: w.fields.writeId,
      key: null,
      op: 'sql',
      // Without a payload column only presence and count are checked.
      payload: 'payload' in r ? storedPayload(stored, w.body) : JSON.stringify(w.body),
      principal: principalOf(w.fields.kind ?? 'landed', w.fields.client),
      at: 0,
    });
  }
  return rows;
}

async function runQuery(database: SqlDatabase, query: string): Promise<Record<string, unknown>[]> {
  if ('sqlite' in database) {
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(database.sqlite, { readOnly: true });
      return db.prepare(query).all() as Record<string, unknown>[];
    } catch (cause) {
      throw new HarnessError(
        'VERIFY_FAILED',
        `The verification query failed on the SQLite file ${database.sqlite}: ${(cause as Error).message}`,
        { cause },
      );
    } finally {
      db?.close();
    }
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: database.postgres });
  try {
    await client.connect();
    return (await client.query(query)).rows as Record<string, unknown>[];
  } catch (cause) {
    throw new HarnessError(
      'VERIFY_FAILED',
      `The verification query failed on PostgreSQL (${new URL(database.postgres).host}): ${(cause as Error).message}`,
      { cause },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
