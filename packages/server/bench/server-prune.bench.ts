/**
 * server.prune.postgres: the p99 latency of keyed writes (node:http adapter, a fresh key per request)
 * while the store prunes 10⁶ expired keys from the same table, against the p99 of the same writes
 * without a prune (phases before and after it), in one run. Also prints how long the prune took.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { emit, percentile, skipped } from '../../client/bench/bench-kit.ts';
import { withIdempotency } from '../src/adapter/node-http/index.ts';
import { postgresStore } from '../src/store/postgres/index.ts';
import { type LoadResult, listen, runLoad } from './load.ts';

const ID = 'server.prune.postgres';
const PG_URL = process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const KEYS = Number(process.env.BENCH_PRUNE_KEYS ?? 1_000_000);
const CONCURRENCY = 8;
const PHASE_MS = 4_000;

async function main(): Promise<void> {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 10);
  const orders = `bench_orders_${suffix}`;
  const table = `bench_prune_${suffix}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 10 });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch {
    console.error(`${ID}: PostgreSQL is not reachable, skipped`);
    await pool.end();
    return;
  }
  try {
    await pool.query(`CREATE TABLE ${orders} (id SERIAL PRIMARY KEY, key TEXT, item TEXT)`);
    const store = postgresStore({
      pool,
      table,
      ...(process.env.BENCH_PRUNE_BATCH ? { pruneBatch: Number(process.env.BENCH_PRUNE_BATCH) } : {}),
    });
    await store.ready();
    // Tombstones long past their time (expired and past purge), spread over 1,000 distinct times.
    const filled = performance.now();
    await pool.query(
      `INSERT INTO ${table} (scope, key, fingerprint, state, created_at, expires_at, purge_at)
       SELECT 'old', 'k' || g, 'f', 'finished', 1, 1 + g % 1000, 2 + g % 1000 FROM generate_series(1, $1) g`,
      [KEYS],
    );
    await pool.query(`VACUUM ANALYZE ${table}`);
    console.error(`${ID}: ${KEYS} expired keys written in ${Math.round(performance.now() - filled)} ms`);
    const server = await listen(
      withIdempotency({ store, scope: () => 'bench', reapIntervalMs: 0 }, async ({ tx, key, body }) => {
        const { rows } = await tx.query(`INSERT INTO ${orders} (key, item) VALUES ($1, $2) RETURNING id`, [
          key,
          (body as { item: string }).item,
        ]);
        return { status: 201, body: { id: rows[0].id } };
      }),
    );
    const send = (i: number) =>
      fetch(`${server.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `"${randomUUID()}"` },
        body: JSON.stringify({ item: `pen-${i}` }),
      });
    const load = (durationMs: number) => runLoad(send, { concurrency: CONCURRENCY, durationMs });
    await load(1_000); // warm-up
    const before = await load(PHASE_MS);
    // During: writes go on for as long as the prune takes.
    let pruning = true;
    const during: LoadResult[] = [];
    const started = performance.now();
    const prune = store.reap(Date.now(), 0).finally(() => {
      pruning = false;
    });
    while (pruning) during.push(await load(250));
    const { purged } = await prune;
    const pruneMs = performance.now() - started;
    const after = await load(PHASE_MS);
    const without = [...before.latencies, ...after.latencies];
    const withPrune = during.flatMap((r) => r.latencies);
    const p99With = percentile(withPrune, 99);
    const p99Without = percentile(without, 99);
    const left = await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE scope = 'old'`);
    emit({
      id: ID,
      ours: +p99With.toFixed(2),
      baseline: +p99Without.toFixed(2),
      ratio: p99With / p99Without,
      unit: 'ms p99',
      target: '<= 1.5',
      notes: {
        keys: KEYS,
        purged,
        left: left.rows[0].n,
        prune_ms: Math.round(pruneMs),
        writes_during: withPrune.length,
        p50_ms_during: +percentile(withPrune, 50).toFixed(2),
        p50_ms_without: +percentile(without, 50).toFixed(2),
        failed: before.failed + after.failed + during.reduce((n, r) => n + r.failed, 0),
      },
    });
    await server.close();
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${orders}`);
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  }
}

if (!skipped(ID)) await main();
