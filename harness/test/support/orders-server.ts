/**
 * A plain `POST /orders` app on @landed/server, as a user would write it, on any of the four adapters
 * and either real store: the order is inserted through the handler's transaction and answered 201
 * with its id. Fault hooks are on so the conformance suite can hold a request in progress; the hold
 * (`slow:<ms>`) lasts until the server has answered a repeat of it with 409, not for a time, so the
 * concurrency check sees its overlap however slow the machine is.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { getRequestListener } from '@hono/node-server';
import { createIdempotency, type IdempotencyStore, type IdempotentRequest } from '@landed/server';
import { idempotencyContext as expressContext, idempotencyMiddleware } from '@landed/server/express';
import { idempotencyContext as fastifyContext, fastifyIdempotency } from '@landed/server/fastify';
import {
  idempotencyContext as honoContext,
  idempotencyMiddleware as honoMiddleware,
} from '@landed/server/hono';
import { withIdempotency } from '@landed/server/node-http';
import { postgresStore } from '@landed/server/postgres';
import { sqliteStore } from '@landed/server/sqlite';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import pg from 'pg';

export type Adapter = 'node-http' | 'express' | 'fastify' | 'hono';
export type StoreKind = 'sqlite' | 'postgres';

export const PG_URL =
  process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export interface OrdersServer {
  readonly url: string;
  /** Orders committed. */
  orders(): Promise<number>;
  close(): Promise<void>;
}

interface Orders {
  store: IdempotencyStore<unknown>;
  insert(tx: unknown, scope: string, body: unknown): Promise<number>;
  count(): Promise<number>;
  close(): Promise<void>;
}

async function openOrders(kind: StoreKind): Promise<Orders> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'landed-orders-'));
    const store = sqliteStore({ path: join(dir, 'orders.db') });
    store.database.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, scope TEXT, body TEXT)');
    return {
      store: store as IdempotencyStore<unknown>,
      async insert(tx, scope, body) {
        const row = (tx as DatabaseSync)
          .prepare('INSERT INTO orders (scope, body) VALUES (?, ?) RETURNING id')
          .get(scope, JSON.stringify(body)) as { id: number };
        return row.id;
      },
      async count() {
        return Number((store.database.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n);
      },
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
  const orders = `conform_orders_${suffix}`;
  const table = `conform_idem_${suffix}`;
  // A small pool: other suites share this PostgreSQL and its max_connections.
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  pool.on('error', () => {});
  await pool.query(`CREATE TABLE ${orders} (id SERIAL PRIMARY KEY, scope TEXT, body TEXT)`);
  const store = postgresStore({ pool, table });
  return {
    store: store as IdempotencyStore<unknown>,
    async insert(tx, scope, body) {
      const r = await (tx as pg.PoolClient).query(
        `INSERT INTO ${orders} (scope, body) VALUES ($1, $2) RETURNING id`,
        [scope, JSON.stringify(body)],
      );
      return Number(r.rows[0].id);
    },
    async count() {
      return Number((await pool.query(`SELECT count(*)::int AS n FROM ${orders}`)).rows[0].n);
    },
    async close() {
      await store.close();
      await pool.query(`DROP TABLE IF EXISTS ${orders}`).catch(() => {});
      await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
      await pool.end();
    },
  };
}

function scopeOf(request: IdempotentRequest): string {
  const value =
    request.headers instanceof Headers ? request.headers.get('authorization') : request.headers.authorization;
  const auth = Array.isArray(value) ? value[0] : value;
  return auth?.startsWith('Bearer ') ? auth.slice(7) : 'anonymous';
}

export async function startOrdersServer(
  adapter: Adapter,
  kind: StoreKind,
  /** `shared`: one scope for everyone, as a single-tenant app has (a multi-user app must not). */
  scoping: 'per-principal' | 'shared' = 'per-principal',
): Promise<OrdersServer> {
  const data = await openOrders(kind);
  let release!: () => void;
  const conflictAnswered = new Promise<void>((resolve) => {
    release = resolve;
  });
  const core = createIdempotency({
    store: data.store,
    scope: scoping === 'shared' ? () => 'everyone' : scopeOf,
    reapIntervalMs: 0,
    faults: { enabled: true, sleep: () => conflictAnswered },
  });
  const place = async (tx: unknown, scope: string, body: unknown) => {
    const id = await data.insert(tx, scope, body);
    return { status: 201, headers: { location: `/orders/${id}` }, body: { id, order: body } };
  };

  let server: Server;
  if (adapter === 'node-http') {
    server = createServer(
      withIdempotency(core, ({ tx, scope, body, request }) =>
        request.method === 'POST' && request.path === '/orders'
          ? place(tx, scope, body)
          : { status: 404, body: { error: 'not found' } },
      ),
    );
  } else if (adapter === 'express') {
    const app = express();
    app.use(idempotencyMiddleware(core));
    app.post('/orders', async (req, res) => {
      const ctx = expressContext(req);
      const r = await place(ctx.tx, ctx.scope, req.body);
      res.status(r.status).set(r.headers).json(r.body);
    });
    server = createServer(app);
  } else if (adapter === 'fastify') {
    const app = Fastify();
    await app.register(fastifyIdempotency(core));
    app.post('/orders', async (request, reply) => {
      const ctx = fastifyContext(request);
      const r = await place(ctx.tx, ctx.scope, request.body);
      return reply.code(r.status).headers(r.headers).send(r.body);
    });
    await app.ready();
    server = app.server;
  } else {
    const app = new Hono();
    app.use(honoMiddleware(core));
    app.post('/orders', async (c) => {
      const ctx = honoContext(c);
      const r = await place(ctx.tx, ctx.scope, ctx.body);
      return c.json(r.body, 201, r.headers);
    });
    server = createServer(getRequestListener(app.fetch));
  }
  // Observes answers beside the app: the held request goes on once a keyed write was answered 409.
  server.prependListener('request', (req, res) => {
    res.once('finish', () => {
      if (req.method === 'POST' && res.statusCode === 409) release();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    orders: () => data.count(),
    async close() {
      release();
      core.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await data.close();
    },
  };
}
