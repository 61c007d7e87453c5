/**
 * server.overhead.sqlite / server.overhead.postgres: requests per second of a write endpoint behind the
 * idempotency middleware (node:http adapter, a fresh key per request) against the same endpoint doing
 * the same business insert in its own transaction without it. Same process, same run, alternating phases.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { emit, percentile, skipped } from '../../client/bench/bench-kit.ts';
import { withIdempotency } from '../src/adapter/node-http/index.ts';
import { postgresStore } from '../src/store/postgres/index.ts';
import { postgresSchema } from '../src/store/postgres/schema.ts';
import { sqliteStore } from '../src/store/sqlite/index.ts';
import { alternate, listen, readJson, runLoad } from './load.ts';

const PG_URL = process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const CONCURRENCY = 16;
const PHASE_MS = 2500;
const ROUNDS = 4;

const post = (url: string, body: unknown, key?: string) =>
  fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': `"${key}"` } : {}) },
    body: JSON.stringify(body),
  });

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'landed-bench-'));
  const store = sqliteStore({
    path: join(dir, 'app.db'),
    synchronous: (process.env.BENCH_SQLITE_SYNC as 'NORMAL' | undefined) ?? 'FULL',
  });
  const db = store.database;
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, key TEXT, item TEXT)');
  const insert = db.prepare('INSERT INTO orders (key, item) VALUES (?, ?) RETURNING id');
  const ours = await listen(
    withIdempotency({ store, scope: () => 'bench', reapIntervalMs: 0 }, ({ key, body }) => {
      const row = insert.get(key ?? null, (body as { item: string }).item) as { id: number };
      return { status: 201, body: { id: row.id } };
    }),
  );
  // `insert` is prepared on the store's connection, the very `tx` the handler receives.
  // The baseline: the same insert in its own BEGIN IMMEDIATE … COMMIT on the same connection.
  const baseline = await listen(async (req, res) => {
    const body = (await readJson(req)) as { item: string };
    db.exec('BEGIN IMMEDIATE');
    const row = insert.get(null, body.item) as { id: number };
    db.exec('COMMIT');
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: row.id }));
  });
  const run = (url: string, keyed: boolean) => () =>
    runLoad((i) => post(url, { item: `pen-${i}` }, keyed ? randomUUID() : undefined), {
      concurrency: CONCURRENCY,
      durationMs: PHASE_MS,
    });
  await run(ours.url, true)(); // warm-up
  const { ours: a, baseline: b } = await alternate(ROUNDS, run(ours.url, true), run(baseline.url, false));
  emit({
    id: 'server.overhead.sqlite',
    ours: Math.round(a.rps),
    baseline: Math.round(b.rps),
    ratio: a.rps / b.rps,
    unit: 'req/s',
    target: '>= 0.7',
    notes: {
      p50_ms_ours: +percentile(a.latencies, 50).toFixed(2),
      p50_ms_baseline: +percentile(b.latencies, 50).toFixed(2),
      failed: a.failed + b.failed,
      concurrency: CONCURRENCY,
    },
  });
  await ours.close();
  await baseline.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

async function postgres(): Promise<void> {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 10);
  const orders = `bench_orders_${suffix}`;
  const table = `bench_idem_${suffix}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 10 });
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch {
    console.error('server.overhead.postgres: PostgreSQL is not reachable, skipped');
    await pool.end();
    return;
  }
  await pool.query(`CREATE TABLE ${orders} (id SERIAL PRIMARY KEY, key TEXT, item TEXT)`);
  const store = postgresStore({ pool, table });
  await store.ready();
  const ours = await listen(
    withIdempotency({ store, scope: () => 'bench', reapIntervalMs: 0 }, async ({ tx, key, body }) => {
      const { rows } = await tx.query(`INSERT INTO ${orders} (key, item) VALUES ($1, $2) RETURNING id`, [
        key,
        (body as { item: string }).item,
      ]);
      return { status: 201, body: { id: rows[0].id } };
    }),
  );
  const baseline = await listen(async (req, res) => {
    const body = (await readJson(req)) as { item: string };
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(`INSERT INTO ${orders} (key, item) VALUES ($1, $2) RETURNING id`, [
        null,
        body.item,
      ]);
      await client.query('COMMIT');
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: rows[0].id }));
    } finally {
      client.release();
    }
  });
  // The floor of any key record: the bare write's three round trips, with a finished record of the
  // same table layout inserted in the business transaction (sent with its COMMIT), and nothing
  // else — no claim committed before the handler, no finishing update, no middleware. What a key
  // record costs end to end before any guarantee across requests is bought with it.
  const floorTable = `bench_floor_${suffix}`;
  await pool.query(postgresSchema(floorTable));
  const floor = await listen(async (req, res) => {
    const body = (await readJson(req)) as { item: string };
    const key = String(req.headers['idempotency-key'] ?? '');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(`INSERT INTO ${orders} (key, item) VALUES ($1, $2) RETURNING id`, [
        key,
        body.item,
      ]);
      const answer = JSON.stringify({ id: rows[0].id });
      const now = Date.now();
      const at = (ms: number) => String(Math.round(ms));
      await client.query(
        `INSERT INTO ${floorTable} (scope, key, fingerprint, state, status, headers, body, created_at, finished_at, expires_at, purge_at) VALUES ('bench', ${client.escapeLiteral(key)}, 'f', 'finished', 201, '{}', ${client.escapeLiteral(answer)}, ${at(now)}, ${at(now)}, ${at(now + 86_400_000)}, ${at(now + 2 * 86_400_000)}); COMMIT`,
      );
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(answer);
    } finally {
      client.release();
    }
  });
  // This process's CPU (server and load generator) per request, by endpoint.
  const nodeCpu = new Map<string, { ms: number; ok: number }>();
  const run = (url: string, keyed: boolean) => async () => {
    const before = process.cpuUsage();
    const result = await runLoad((i) => post(url, { item: `pen-${i}` }, keyed ? randomUUID() : undefined), {
      concurrency: CONCURRENCY,
      durationMs: PHASE_MS,
    });
    const used = process.cpuUsage(before);
    const c = nodeCpu.get(url) ?? { ms: 0, ok: 0 };
    c.ms += (used.user + used.system) / 1000;
    c.ok += result.ok;
    nodeCpu.set(url, c);
    return result;
  };
  const perRequest = (url: string) => {
    const c = nodeCpu.get(url);
    return c ? +(c.ms / c.ok).toFixed(3) : 0;
  };
  await run(ours.url, true)();
  await run(floor.url, true)();
  nodeCpu.clear();
  const { ours: a, baseline: b } = await alternate(ROUNDS, run(ours.url, true), run(baseline.url, false));
  const { ours: f, baseline: fb } = await alternate(ROUNDS, run(floor.url, true), run(baseline.url, false));
  emit({
    id: 'server.overhead.postgres',
    ours: Math.round(a.rps),
    baseline: Math.round(b.rps),
    ratio: a.rps / b.rps,
    unit: 'req/s',
    target: '>= 0.85',
    notes: {
      p50_ms_ours: +percentile(a.latencies, 50).toFixed(2),
      p50_ms_baseline: +percentile(b.latencies, 50).toFixed(2),
      failed: a.failed + b.failed + f.failed + fb.failed,
      concurrency: CONCURRENCY,
      // The floor endpoint (a finished record inserted with the COMMIT, nothing else) against the
      // bare write in rounds of their own: the most any key record in the transaction allows.
      floor_ratio: +(f.rps / fb.rps).toFixed(3),
      node_cpu_ms_ours: perRequest(ours.url),
      node_cpu_ms_baseline: perRequest(baseline.url),
      node_cpu_ms_floor: perRequest(floor.url),
    },
  });
  await ours.close();
  await baseline.close();
  await floor.close();
  await pool.query(`DROP TABLE IF EXISTS ${floorTable}`);
  await pool.query(`DROP TABLE IF EXISTS ${orders}`);
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.end();
}

if (!skipped('server.overhead.sqlite')) await sqlite();
if (!skipped('server.overhead.postgres')) await postgres();
