/**
 * server.statements.postgres: where a keyed write's time goes on PostgreSQL, statement by statement,
 * against the same insert in its own transaction. One connection, one request at a time, so each
 * round trip is timed alone: the claim (committed on its own, opening the business transaction), the
 * handler's insert, and the finish sent with the COMMIT; and the baseline's BEGIN, insert and COMMIT.
 * What is left of a keyed write beyond its round trips is the middleware's own work in JavaScript.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { emit, percentile, skipped } from '../../client/bench/bench-kit.ts';
import { createIdempotency } from '../src/index.ts';
import { postgresStore } from '../src/store/postgres/index.ts';

const ID = 'server.statements.postgres';
const PG_URL = process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const N = 2_000;

async function main(): Promise<void> {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 10);
  const orders = `bench_orders_${suffix}`;
  const table = `bench_idem_${suffix}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  pool.on('error', () => {});
  // Every query on the one connection is timed, in the order it is sent.
  let timings: number[] = [];
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { query: unknown }).query = async (...args: unknown[]) => {
      const t = performance.now();
      try {
        return await query(...args);
      } finally {
        timings.push(performance.now() - t);
      }
    };
  });
  try {
    await pool.query('SELECT 1');
  } catch {
    console.error(`${ID}: PostgreSQL is not reachable, skipped`);
    await pool.end();
    return;
  }
  try {
    await pool.query(`CREATE TABLE ${orders} (id SERIAL PRIMARY KEY, key TEXT, item TEXT)`);
    const store = postgresStore({ pool, table });
    await store.ready();
    const core = createIdempotency({ store, scope: () => 'bench', reapIntervalMs: 0 });
    const handler = async ({
      tx,
      key,
      body,
    }: {
      tx: pg.PoolClient;
      key?: string | undefined;
      body: unknown;
    }) => {
      const { rows } = await tx.query(`INSERT INTO ${orders} (key, item) VALUES ($1, $2) RETURNING id`, [
        key,
        (body as { item: string }).item,
      ]);
      return { status: 201, body: { id: rows[0].id } };
    };
    const keyed = async (i: number) =>
      core.handle(
        {
          method: 'POST',
          path: '/orders',
          headers: { 'idempotency-key': `"${randomUUID()}"`, 'content-type': 'application/json' },
          rawBody: JSON.stringify({ item: `pen-${i}` }),
        },
        handler,
      );
    const bare = async (i: number) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${orders} (key, item) VALUES ($1, $2) RETURNING id`, [
          null,
          `pen-${i}`,
        ]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    for (let i = 0; i < 200; i++) {
      await keyed(i);
      await bare(i);
    }
    const ours = {
      claim: [] as number[],
      insert: [] as number[],
      finish: [] as number[],
      total: [] as number[],
    };
    const base = {
      begin: [] as number[],
      insert: [] as number[],
      commit: [] as number[],
      total: [] as number[],
    };
    for (let i = 0; i < N; i++) {
      timings = [];
      let t = performance.now();
      await keyed(i);
      ours.total.push(performance.now() - t);
      if (timings.length !== 3) throw new Error(`a keyed write took ${timings.length} round trips, not 3`);
      ours.claim.push(timings[0] as number);
      ours.insert.push(timings[1] as number);
      ours.finish.push(timings[2] as number);
      timings = [];
      t = performance.now();
      await bare(i);
      base.total.push(performance.now() - t);
      base.begin.push(timings[0] as number);
      base.insert.push(timings[1] as number);
      base.commit.push(timings[2] as number);
    }
    const p50 = (values: number[]) => +percentile(values, 50).toFixed(3);
    const roundTrips = p50(ours.claim) + p50(ours.insert) + p50(ours.finish);
    emit({
      id: ID,
      ours: p50(ours.total),
      baseline: p50(base.total),
      ratio: p50(ours.total) / p50(base.total),
      unit: 'ms p50',
      notes: {
        claim: p50(ours.claim),
        insert: p50(ours.insert),
        finish_commit: p50(ours.finish),
        middleware_js: +(p50(ours.total) - roundTrips).toFixed(3),
        begin: p50(base.begin),
        baseline_insert: p50(base.insert),
        commit: p50(base.commit),
      },
    });
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${orders}`);
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  }
}

if (!skipped(ID)) await main();
