/**
 * The reference app as its own process, so a scenario can kill it (crash-after-commit) and start it
 * again on the same port and database. Configured by environment:
 * - `LANDED_APP_PORT` (0 = any free port), `LANDED_APP_SQLITE` (file) or `LANDED_APP_DATABASE_URL`;
 * - `LANDED_APP_PG_POOL_MAX`: the most PostgreSQL connections this process opens (default 10); an
 *   instance of a fleet takes its share of what one server would (see docs/server.md);
 * - `LANDED_FAULTS=1` turns the fault hooks on; `LANDED_CHAOS_FAULT=kind@rate` starts with a fault set.
 * Prints `LANDED_APP_READY <port>` on stdout once it listens.
 */
import { createServer } from 'node:http';
import { openDatabase } from './database.ts';
import { parseFaultSetting } from './fault-switch.ts';
import { readPostgresLedger, readSqliteLedger } from './ledger.ts';
import { createReferenceApp } from './ReferenceApp.ts';

const env = process.env;
const database = await openDatabase(
  env.LANDED_APP_DATABASE_URL
    ? {
        kind: 'postgres',
        connectionString: env.LANDED_APP_DATABASE_URL,
        poolMax: poolMax(env.LANDED_APP_PG_POOL_MAX),
      }
    : { kind: 'sqlite', path: env.LANDED_APP_SQLITE ?? 'landed-app.sqlite' },
);
const app = createReferenceApp({
  database,
  faultsEnabled: env.LANDED_FAULTS === '1',
  initialFault: parseFaultSetting(env.LANDED_CHAOS_FAULT),
  // The contract a --target server offers; the harness itself reads the database directly.
  readLedger: () =>
    env.LANDED_APP_DATABASE_URL
      ? readPostgresLedger(env.LANDED_APP_DATABASE_URL)
      : readSqliteLedger(env.LANDED_APP_SQLITE ?? 'landed-app.sqlite'),
});
const server = createServer({ keepAliveTimeout: 5_000 }, app.listener);
server.listen(Number(env.LANDED_APP_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`LANDED_APP_READY ${typeof address === 'object' && address ? address.port : 0}\n`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
  void database.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

function poolMax(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`LANDED_APP_PG_POOL_MAX must be a whole number ≥ 1, got "${text}".`);
  return n;
}
