/**
 * Two harness runs on one PostgreSQL server: the second waits for the first's scenario to end instead
 * of emptying its tables under it, and is told it waits; a run that dies lets go with its connection.
 * Real PostgreSQL (the one the tests already use).
 */
import pg from 'pg';
import { expect, test } from 'vitest';
import { holdDatabase } from '../src/fleet/fleet-database.ts';

const PG_URL = process.env.LANDED_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const NAME = 'landed_held_test';

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

test('a second run waits for the database the first holds, then finds it emptied for itself', async () => {
  const first = await holdDatabase(PG_URL, NAME);
  await query(first.url, 'CREATE TABLE ledger (id int)');
  await query(first.url, 'INSERT INTO ledger VALUES (1)');

  let told: string | undefined;
  let waitSeen!: () => void;
  const waiting = new Promise<void>((resolve) => {
    waitSeen = resolve;
  });
  let secondHeld = false;
  const second = holdDatabase(PG_URL, NAME, (name) => {
    told = name;
    waitSeen();
  }).then((held) => {
    secondHeld = true;
    return held;
  });
  await waiting;
  expect(told).toBe(NAME);
  // The first run's table is untouched while it holds the database, and the second has not got it.
  expect((await query(first.url, 'SELECT count(*)::int AS n FROM ledger')).rows[0]).toEqual({ n: 1 });
  expect(secondHeld).toBe(false);

  await first.release();
  const held = await second;
  const left = await query(held.url, "SELECT to_regclass('ledger') AS t");
  expect(left.rows[0]).toEqual({ t: null });
  await held.release();
});

test('a holder that goes away without releasing lets the next run in', async () => {
  const url = new URL(PG_URL);
  url.pathname = `/${NAME}`;
  const first = await holdDatabase(PG_URL, NAME);
  // Its connection dies as a killed harness's would: the server ends the session that holds the lock.
  await query(
    url.toString(),
    `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = '${NAME}')`,
  );
  const next = await holdDatabase(PG_URL, NAME);
  await next.release();
  await first.release();
});
