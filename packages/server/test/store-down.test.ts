/**
 * A database that is down or dies mid-request: a clear 503 with Retry-After, and nothing half-written
 * (no business row without its key record, no key record left blocking the retry).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { withIdempotency } from '../src/adapter/node-http/index.ts';
import { createIdempotency } from '../src/index.ts';
import { postgresStore } from '../src/store/postgres/index.ts';
import { send, startApp, type TestApp } from './support/app.ts';
import { PG_URL } from './support/business.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(listener: Parameters<typeof createServer>[1]) {
  const server = createServer(listener as never);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('database down', () => {
  it('PostgreSQL unreachable (closed port): 503 store-unavailable with Retry-After, handler never runs', async () => {
    const store = postgresStore({
      connectionString: 'postgres://postgres:postgres@127.0.0.1:9/postgres',
      connectionTimeoutMs: 1000,
    });
    cleanups.push(() => store.close());
    let runs = 0;
    const told: unknown[] = [];
    const url = await listen(
      withIdempotency({ store, scope: () => 'tenant', onError: (error) => told.push(error) }, async () => {
        runs++;
        return { status: 201, body: {} };
      }),
    );
    const r = await send(`${url}/orders`, { key: 'down-1', body: { item: 'pen' } });
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.json()).toMatchObject({ code: 'store-unavailable', status: 503 });
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.headers.get('idempotency-key')).toBe('"down-1"');
    const lookup = await send(`${url}/idempotency/down-1`, { method: 'GET' });
    expect(lookup.status).toBe(503);
    expect(runs).toBe(0);
    // The operator hears of it (onError); the client only got the problem+json.
    expect(told.length).toBeGreaterThan(0);
  });

  it('PostgreSQL pool closed under a running app: 503, and nothing was written', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
    pool.on('error', () => {});
    const table = `landed_idem_down_${process.pid}`;
    const store = postgresStore({ pool, table });
    const core = createIdempotency({ store, scope: () => 'tenant', onError: () => {} });
    const url = await listen(withIdempotency(core, async () => ({ status: 201, body: { ok: true } })));
    expect((await send(`${url}/orders`, { key: 'before', body: {} })).status).toBe(201);
    await pool.end();
    const r = await send(`${url}/orders`, { key: 'after', body: {} });
    expect(r.status).toBe(503);
    expect(r.json().code).toBe('store-unavailable');
    const check = new pg.Client(PG_URL);
    await check.connect();
    try {
      const { rows } = await check.query(`SELECT key, state FROM ${table} ORDER BY key`);
      expect(rows).toEqual([{ key: 'before', state: 'finished' }]);
    } finally {
      await check.query(`DROP TABLE IF EXISTS ${table}`);
      await check.end();
    }
  });

  it('PostgreSQL connection killed mid-handler: 503, the business write rolled back, the retry applies once', async () => {
    const app: TestApp = await startApp('node-http', 'postgres');
    cleanups.push(() => app.close());
    const pending = send(`${app.url}/orders`, { key: 'mid', body: { item: 'pen', mode: 'gate' } });
    await app.atGate;
    const admin = new pg.Client(PG_URL);
    await admin.connect();
    // The handler's transaction is this app's only one "idle in transaction". Only this app's connections
    // are touched: other test files run at the same time against the same database.
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction' AND application_name = $1`,
      [app.business.location.applicationName],
    );
    await admin.end();
    app.openGate();
    const r = await pending;
    expect(r.status).toBe(503);
    expect(r.json().code).toBe('store-unavailable');
    expect(await app.business.count('mid')).toBe(0);
    const retry = await send(`${app.url}/orders`, { key: 'mid', body: { item: 'pen', mode: 'gate' } });
    expect(retry.status).toBe(201);
    expect(await app.business.count('mid')).toBe(1);
  });

  it('SQLite store closed under a running app: 503, nothing written', async () => {
    const app = await startApp('node-http', 'sqlite');
    cleanups.push(() => app.close());
    expect((await send(`${app.url}/orders`, { key: 's1', body: { item: 'pen' } })).status).toBe(201);
    await app.business.store.close();
    const r = await send(`${app.url}/orders`, { key: 's2', body: { item: 'pen' } });
    expect(r.status).toBe(503);
    expect(r.json().code).toBe('store-unavailable');
  });
});
