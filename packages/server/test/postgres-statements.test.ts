/**
 * The PostgreSQL store prepares its statements once per connection and runs them with EXECUTE: a keyed
 * write costs the bare write's three round trips, a taken key two, and a connection that lost its
 * prepared statements (DISCARD ALL, a pooler) prepares them again instead of failing.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdempotency, type IdempotentResponse } from '../src/index.ts';
import { postgresStore } from '../src/store/postgres/index.ts';
import { PG_URL } from './support/business.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One pooled connection (so every request reuses it), a business table and a key table. */
async function open() {
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
  const table = `landed_idem_stmt_${suffix}`;
  const orders = `orders_stmt_${suffix}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  pool.on('error', () => {});
  await pool.query(`CREATE TABLE ${orders} (id SERIAL PRIMARY KEY, key TEXT, item TEXT)`);
  cleanups.push(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${orders}`);
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });
  const core = (store = postgresStore({ pool, table })) =>
    createIdempotency({ store, scope: () => 'tenant', reapIntervalMs: 0 });
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
  const write = (idem: ReturnType<typeof core>, key: string, item = 'pen'): Promise<IdempotentResponse> =>
    idem.handle(
      {
        method: 'POST',
        path: '/orders',
        headers: { 'idempotency-key': `"${key}"`, 'content-type': 'application/json' },
        rawBody: JSON.stringify({ item }),
      },
      handler,
    );
  const count = async (key: string) =>
    Number((await pool.query(`SELECT count(*)::int AS n FROM ${orders} WHERE key = $1`, [key])).rows[0].n);
  return { pool, table, core, write, count };
}

/** Counts the queries `pg` sends while `fn` runs. */
async function countQueries(fn: () => Promise<unknown>): Promise<number> {
  const original = pg.Client.prototype.query;
  let n = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    n++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = original;
  }
  return n;
}

describe('PostgreSQL store statements', () => {
  it('a keyed write takes three round trips (claim with BEGIN, the business insert, finish with COMMIT), a replay two', async () => {
    const { core, write } = await open();
    const idem = core();
    expect((await write(idem, 'warm')).status).toBe(201); // prepares the statements on the connection
    let first: IdempotentResponse | undefined;
    expect(
      await countQueries(async () => {
        first = await write(idem, 'k1');
      }),
    ).toBe(3);
    expect(first?.status).toBe(201);
    let again: IdempotentResponse | undefined;
    expect(
      await countQueries(async () => {
        again = await write(idem, 'k1');
      }),
    ).toBe(2);
    expect(again?.headers['Idempotent-Replayed']).toBe('true');
    expect(again?.body).toBe(first?.body);
  });

  it('keys with a quote or a backslash travel as literals safely: applied once, replayed, echoed intact', async () => {
    const { core, write, count } = await open();
    const idem = core();
    for (const key of ["o'brien", 'back\\slash', "both'\\'"]) {
      // As an sf-string, a backslash is escaped; a quote need not be.
      const quoted = key.replaceAll('\\', '\\\\');
      const first = await write(idem, quoted);
      expect(first.status, key).toBe(201);
      expect(first.headers['Idempotency-Key']).toBe(`"${quoted}"`);
      const again = await write(idem, quoted);
      expect(again.headers['Idempotent-Replayed']).toBe('true');
      expect(again.body).toBe(first.body);
      expect(await count(key)).toBe(1);
    }
  });

  it('a connection that lost its prepared statements prepares them again and the write applies once', async () => {
    const { pool, core, write, count } = await open();
    const idem = core();
    expect((await write(idem, 'a')).status).toBe(201);
    await pool.query('DEALLOCATE ALL'); // what DISCARD ALL or a pooler's other server connection amounts to
    const b = await write(idem, 'b');
    expect(b.status).toBe(201);
    await pool.query('DEALLOCATE ALL');
    const replay = await write(idem, 'a');
    expect(replay.status).toBe(201);
    expect(replay.headers['Idempotent-Replayed']).toBe('true');
    expect(await count('a')).toBe(1);
    expect(await count('b')).toBe(1);
  });

  it('two stores on one table share the statements prepared on a connection', async () => {
    const { pool, table, core, write, count } = await open();
    const one = core();
    const two = core(postgresStore({ pool, table }));
    expect((await write(one, 'x')).status).toBe(201);
    expect((await write(two, 'y')).status).toBe(201);
    expect((await write(two, 'x')).headers['Idempotent-Replayed']).toBe('true');
    expect((await write(one, 'y', 'other')).status).toBe(422);
    expect(await count('x')).toBe(1);
    expect(await count('y')).toBe(1);
  });
});
