/**
 * The fleet's database: `landed_fleet` on the given PostgreSQL (or another name; created when missing),
 * emptied before each scenario. A database of its own, so a fleet run never drops tables a single-app run or another
 * user of the server relies on.
 */
import pg from 'pg';

export const FLEET_DATABASE = 'landed_fleet';

/** Returns the connection string of the emptied fleet database. */
export async function resetFleetDatabase(
  connectionString: string,
  database: string = FLEET_DATABASE,
): Promise<string> {
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
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS ledger');
    await client.query('DROP TABLE IF EXISTS landed_idempotency');
  } finally {
    await client.end();
  }
  return url.toString();
}
