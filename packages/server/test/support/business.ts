/**
 * The business side of the test apps: one `orders` table per store, written through the handler's
 * transaction, and counted from outside it. A duplicate effect shows as a second row (no unique key).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { IdempotencyStore, StoredRecord } from '../../src/index.ts';
import { type MemoryTx, memoryStore } from '../../src/index.ts';
import { postgresStore } from '../../src/store/postgres/index.ts';
import { sqliteStore } from '../../src/store/sqlite/index.ts';

export type StoreKind = 'memory' | 'sqlite' | 'postgres';

export const PG_URL =
  process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export interface Business<Tx = unknown> {
  kind: StoreKind;
  store: IdempotencyStore<Tx>;
  /** Inserts one order inside `tx`; resolves with its id. */
  insert(tx: Tx, scope: string, key: string | undefined, item: string): Promise<number>;
  /** Orders committed so far (optionally for one key). */
  count(key?: string): Promise<number>;
  /** Leaves a `started` record as a process that died mid-request would. */
  plantStarted(scope: string, key: string, fingerprint: string, lockedAt: number): Promise<void>;
  /** Everything needed to open the same store elsewhere (child processes). */
  location: { path?: string; table?: string; orders?: string; applicationName?: string };
  close(): Promise<void>;
}

export async function openBusiness(kind: StoreKind, opts: { path?: string } = {}): Promise<Business> {
  if (kind === 'memory') {
    const store = memoryStore();
    const rows: Array<{ key: string | undefined }> = [];
    return {
      kind,
      store: store as IdempotencyStore<unknown>,
      async insert(tx, _scope, key) {
        (tx as MemoryTx).onCommit(() => rows.push({ key }));
        return rows.length + 1;
      },
      async count(key) {
        return key === undefined ? rows.length : rows.filter((r) => r.key === key).length;
      },
      async plantStarted(scope, key, fingerprint, lockedAt) {
        (store.records as Map<string, StoredRecord>).set(JSON.stringify([scope, key]), {
          scope,
          key,
          fingerprint,
          state: 'started',
          lockToken: 'dead-process',
          lockedAt,
          status: null,
          headers: null,
          body: null,
          createdAt: lockedAt,
          expiresAt: null,
          purgeAt: null,
        });
      },
      location: {},
      async close() {},
    };
  }
  if (kind === 'sqlite') {
    const dir = opts.path ? undefined : mkdtempSync(join(tmpdir(), 'landed-server-'));
    const path = opts.path ?? join(dir as string, 'app.db');
    const store = sqliteStore({ path });
    store.database.exec(
      'CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, scope TEXT, key TEXT, item TEXT)',
    );
    const counter = new DatabaseSync(path, { readOnly: true });
    return {
      kind,
      store: store as IdempotencyStore<unknown>,
      async insert(tx, scope, key, item) {
        const row = (tx as DatabaseSync)
          .prepare('INSERT INTO orders (scope, key, item) VALUES (?, ?, ?) RETURNING id')
          .get(scope, key ?? null, item) as { id: number };
        return row.id;
      },
      async count(key) {
        const row = (
          key === undefined
            ? counter.prepare('SELECT count(*) AS n FROM orders').get()
            : counter.prepare('SELECT count(*) AS n FROM orders WHERE key = ?').get(key)
        ) as { n: number };
        return Number(row.n);
      },
      async plantStarted(scope, key, fingerprint, lockedAt) {
        store.database
          .prepare(
            `INSERT INTO landed_idempotency (scope, key, fingerprint, state, lock_token, locked_at, created_at) VALUES (?, ?, ?, 'started', 'dead-process', ?, ?)`,
          )
          .run(scope, key, fingerprint, lockedAt, lockedAt);
      },
      location: { path },
      async close() {
        counter.close();
        await store.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
  const table = `landed_idem_${suffix}`;
  const orders = `orders_${suffix}`;
  // Small pools: several test files and other suites share one PostgreSQL and its max_connections.
  // The application name tells this app's connections apart from theirs (see store-down.test.ts).
  const applicationName = `landed-test-${suffix}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4, application_name: applicationName });
  pool.on('error', () => {});
  await pool.query(`CREATE TABLE ${orders} (id SERIAL PRIMARY KEY, scope TEXT, key TEXT, item TEXT)`);
  const store = postgresStore({ pool, table });
  return {
    kind,
    store: store as IdempotencyStore<unknown>,
    async insert(tx, scope, key, item) {
      const result = await (tx as pg.PoolClient).query(
        `INSERT INTO ${orders} (scope, key, item) VALUES ($1, $2, $3) RETURNING id`,
        [scope, key ?? null, item],
      );
      return Number(result.rows[0].id);
    },
    async count(key) {
      const result =
        key === undefined
          ? await pool.query(`SELECT count(*)::int AS n FROM ${orders}`)
          : await pool.query(`SELECT count(*)::int AS n FROM ${orders} WHERE key = $1`, [key]);
      return Number(result.rows[0].n);
    },
    async plantStarted(scope, key, fingerprint, lockedAt) {
      await store.ready();
      await pool.query(
        `INSERT INTO ${table} (scope, key, fingerprint, state, lock_token, locked_at, created_at) VALUES ($1, $2, $3, 'started', 'dead-process', $4, $4)`,
        [scope, key, fingerprint, lockedAt],
      );
    },
    location: { table, orders, applicationName },
    async close() {
      await store.close();
      await pool.query(`DROP TABLE IF EXISTS ${orders}`).catch(() => {});
      await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
      await pool.end();
    },
  };
}
