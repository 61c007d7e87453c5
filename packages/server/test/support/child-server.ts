/**
 * A server process for the crash and multi-process tests: node:http + the core on the store named by
 * the environment. Prints `LISTENING <port>` when ready and `AT-GATE` when a `gate` handler waits
 * (forever: the test kills the process). `exit-after-commit` here is a real SIGKILL of itself.
 *
 * With CLOCK_MS the core's clock stands still at that epoch millisecond until the parent moves it
 * (an IPC message `{ clock }`, answered once in force), so lock staleness is decided by the test, not
 * by how long the machine took to get there.
 *
 * env: STORE=sqlite|postgres, DB_PATH, PG_URL, PG_TABLE, PG_ORDERS, LOCK_TIMEOUT_MS, CLOCK_MS, GATE=hang
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabaseSync } from 'node:sqlite';
import type pg from 'pg';
import { withIdempotency } from '../../src/adapter/node-http/index.ts';
import { createIdempotency, type IdempotencyStore } from '../../src/index.ts';
import { postgresStore } from '../../src/store/postgres/index.ts';
import { sqliteStore } from '../../src/store/sqlite/index.ts';
import { scopeFromAuth } from './app.ts';

const env = process.env;
let store: IdempotencyStore<unknown>;
let insert: (tx: unknown, key: string, item: string) => Promise<number>;
if (env.STORE === 'sqlite') {
  const sqlite = sqliteStore({ path: env.DB_PATH as string });
  sqlite.database.exec(
    'CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, scope TEXT, key TEXT, item TEXT)',
  );
  store = sqlite as IdempotencyStore<unknown>;
  insert = async (tx, key, item) =>
    Number(
      (
        (tx as DatabaseSync)
          .prepare('INSERT INTO orders (key, item) VALUES (?, ?) RETURNING id')
          .get(key, item) as { id: number }
      ).id,
    );
} else {
  store = postgresStore({
    connectionString: env.PG_URL as string,
    table: env.PG_TABLE as string,
    max: 4,
    // Requests queue for the four connections; on a loaded machine the wait must not turn into a 503.
    connectionTimeoutMs: 60_000,
  }) as IdempotencyStore<unknown>;
  insert = async (tx, key, item) =>
    Number(
      (
        await (tx as pg.PoolClient).query(
          `INSERT INTO ${env.PG_ORDERS} (key, item) VALUES ($1, $2) RETURNING id`,
          [key, item],
        )
      ).rows[0].id,
    );
}

let clock = Number(env.CLOCK_MS);
if (env.CLOCK_MS !== undefined) {
  process.on('message', (message: { clock?: number }) => {
    if (typeof message?.clock !== 'number') return;
    clock = message.clock;
    process.send?.({ clock });
  });
}

const core = createIdempotency({
  store,
  scope: scopeFromAuth,
  lockTimeoutMs: Number(env.LOCK_TIMEOUT_MS ?? 30_000),
  faults: { enabled: true, exit: () => process.kill(process.pid, 'SIGKILL') },
  ...(env.CLOCK_MS === undefined ? {} : { now: () => clock }),
});

const server = createServer(
  withIdempotency(core, async ({ tx, key, body }) => {
    const order = body as { item: string; mode?: string; delayMs?: number };
    if (order.mode === 'gate' && env.GATE === 'hang') {
      process.stdout.write('AT-GATE\n');
      await new Promise(() => {});
    }
    if (order.delayMs) await new Promise((resolve) => setTimeout(resolve, order.delayMs));
    const id = await insert(tx, key as string, order.item);
    return { status: 201, body: { id, item: order.item, pid: process.pid } };
  }),
);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
});
// Bounded: a forgotten child never outlives the test run.
setTimeout(() => process.exit(0), 120_000).unref();
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void store.close().finally(() => process.exit(0));
});
