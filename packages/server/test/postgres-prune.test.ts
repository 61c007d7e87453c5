/**
 * Pruning in batches on PostgreSQL: however the rows fall across batch boundaries (many keys sharing
 * one expiry time, more of them than a batch holds), every body past retention is stripped and every
 * tombstone past its time deleted, and nothing still within its time is touched.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyError } from '../src/index.ts';
import { postgresStore } from '../src/store/postgres/index.ts';
import { PG_URL } from './support/business.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(pruneBatch: number) {
  const table = `landed_idem_prune_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  pool.on('error', () => {});
  const store = postgresStore({ pool, table, pruneBatch });
  await store.ready();
  cleanups.push(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });
  /** `n` finished keys named `${prefix}-i`, with a body, expiring at `expiresAt`, purged at `purgeAt`. */
  const fill = (prefix: string, n: number, expiresAt: number, purgeAt: number) =>
    pool.query(
      `INSERT INTO ${table} (scope, key, fingerprint, state, status, headers, body, created_at, expires_at, purge_at)
       SELECT 's', $1 || '-' || g, 'f', 'finished', 201, '{}', 'body', 0, $2, $3 FROM generate_series(1, $4) g`,
      [prefix, expiresAt, purgeAt, n],
    );
  const rows = async () =>
    (
      await pool.query<{ key: string; body: string | null }>(
        `SELECT key, body FROM ${table} ORDER BY key COLLATE "C"`,
      )
    ).rows;
  return { store, fill, rows };
}

describe('postgresStore reap() in batches', () => {
  it('deletes every tombstone past its time and strips every body past retention, batch by batch', async () => {
    const { store, fill, rows } = await open(3);
    const now = 10_000;
    await fill('gone-tie', 7, 100, 200); // seven rows share one expiry: more than a batch of 3
    await fill('gone', 5, 150, 250);
    await fill('gone-late', 4, 900, 1_000);
    await fill('stripped', 8, 5_000, 20_000); // past retention, tombstone kept until 20,000
    await fill('kept', 4, 50_000, 60_000); // still within retention
    const result = await store.reap(now, 0);
    expect(result).toEqual({ reaped: 8 + 16, purged: 16 });
    const left = await rows();
    expect(left.filter((r) => r.key.startsWith('gone'))).toEqual([]);
    expect(left.filter((r) => r.key.startsWith('stripped')).map((r) => r.body)).toEqual(Array(8).fill(null));
    expect(left.filter((r) => r.key.startsWith('kept')).map((r) => r.body)).toEqual(Array(4).fill('body'));
  });

  it('keeps a tombstone inside the grace period after its expiry', async () => {
    const { store, fill, rows } = await open(2);
    await fill('recent', 5, 9_500, 9_600);
    const result = await store.reap(10_000, 1_000);
    expect(result.purged).toBe(0);
    expect((await rows()).map((r) => r.body)).toEqual(Array(5).fill(null));
  });

  it('refuses a batch size that is not a whole number of rows', () => {
    expect(() => postgresStore({ connectionString: PG_URL, pruneBatch: 0 })).toThrow(IdempotencyError);
  });
});
