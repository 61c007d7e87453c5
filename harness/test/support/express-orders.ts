/**
 * A plain Express `POST /orders` app on @landed/server, as a QA engineer's own API would be, with a
 * `GET /orders/:id` route answering the stored order or 404 — and, when asked, the `/_chaos/ledger`
 * contract — so experiment files can verify their effects by route, by SQL and by ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { readHeader } from '@landed/server';
import { idempotencyContext, idempotencyMiddleware } from '@landed/server/express';
import { sqliteStore } from '@landed/server/sqlite';
import express from 'express';

export interface ExpressOrders extends AsyncDisposable {
  readonly url: string;
  /** The SQLite file the orders are in, for verification by SQL. */
  readonly databasePath: string;
}

export async function startExpressOrders(options: { ledger?: boolean } = {}): Promise<ExpressOrders> {
  const dir = mkdtempSync(join(tmpdir(), 'landed-express-orders-'));
  const store = sqliteStore({ path: join(dir, 'orders.db') });
  // No unique constraint on the order id: a write applied twice shows as two rows in the ledger.
  store.database.exec(
    'CREATE TABLE orders (row INTEGER PRIMARY KEY, id TEXT, key TEXT, principal TEXT, body TEXT, at INTEGER)',
  );
  const principal = (auth: string | undefined) => (auth?.startsWith('Bearer ') ? auth.slice(7) : 'anonymous');
  const app = express();
  app.use(
    idempotencyMiddleware({ store, scope: (req) => principal(readHeader(req.headers, 'authorization')) }),
  );
  app.post('/orders', (req, res) => {
    const { tx } = idempotencyContext<DatabaseSync>(req);
    const body = req.body as { id: string };
    tx.prepare('INSERT INTO orders (id, key, principal, body, at) VALUES (?, ?, ?, ?, ?)').run(
      body.id,
      req.header('idempotency-key') ?? null,
      principal(req.header('authorization')),
      JSON.stringify(body),
      Date.now(),
    );
    res.status(201).location(`/orders/${body.id}`).json({ id: body.id });
  });
  app.get('/orders/:id', (req, res) => {
    const row = store.database.prepare('SELECT body FROM orders WHERE id = ?').get(req.params.id) as
      | { body: string }
      | undefined;
    if (!row) res.status(404).json({ error: 'no such order' });
    else res.type('json').send(row.body);
  });
  if (options.ledger)
    app.get('/_chaos/ledger', (_req, res) => {
      const rows = store.database
        .prepare(
          "SELECT row AS id, id AS writeId, key, 'order' AS op, body AS payload, principal, at FROM orders ORDER BY row",
        )
        .all();
      res.json({ rows });
    });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    databasePath: join(dir, 'orders.db'),
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
