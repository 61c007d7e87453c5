/**
 * The harness's databases on a PostgreSQL server: `landed_chaos` for a single app, `landed_fleet` for a
 * fleet (or another name), each created when missing and emptied before each scenario, so a run never
 * drops tables another user of the server relies on. A scenario holds its database for as long as it
 * runs: a session advisory lock taken on a connection to that database and kept until `release()`. A
 * second run on the same server waits for it instead of emptying the tables under it; a harness that
 * dies lets go with its connection.
 */
import pg from 'pg';

export const FLEET_DATABASE = 'landed_fleet';
export const CHAOS_DATABASE = 'landed_chaos';

export interface HeldDatabase {
  /** The connection string of the emptied database. */
  url: string;
  /** Lets another run have it. */
  release(): Promise<void>;
}

/**
 * Creates `database` when missing, waits until no other run holds it (`onWait` is told once if one
 * does), empties it and holds it until `release()`.
 */
export async function holdDatabase(
  connectionString: string,
  database: string,
  onWait?: (database: string) => void,
): Promise<HeldDatabase> {
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    // Two runs creating it at once: the loser's error is harmless, the database is there.
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${database}`).catch(() => {});
  } finally {
    await admin.end();
  }
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  const holder = new pg.Client({ connectionString: url.toString() });
  holder.on('error', () => {});
  await holder.connect();
  try {
    const key = `landed-chaos:${database}`;
    const { rows } = await holder.query<{ held: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS held',
      [key],
    );
    if (!rows[0]?.held) {
      onWait?.(database);
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    }
    await holder.query('DROP TABLE IF EXISTS ledger');
    await holder.query('DROP TABLE IF EXISTS landed_idempotency');
  } catch (error) {
    await holder.end().catch(() => {});
    throw error;
  }
  let released: Promise<void> | undefined;
  return {
    url: url.toString(),
    release: () => {
      released ??= holder.end().catch(() => {});
      return released;
    },
  };
}
