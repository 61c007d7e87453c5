/**
 * Where the reference app keeps its keys and its ledger: SQLite by default, PostgreSQL when a
 * connection string is given. Either way the ledger insert runs in the store's own transaction, so
 * the business effect and the key record commit together.
 */
import type { IdempotencyStore } from '@landed/server';
import {
  insertPostgres,
  insertSqlite,
  type LedgerInsert,
  type PgQueryable,
  POSTGRES_LEDGER,
  SQLITE_LEDGER,
} from './ledger.ts';

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'postgres';
      connectionString: string;
      /** Connections this process's pool opens at most (`postgresStore`'s `max`, 10 by default). */
      poolMax?: number | undefined;
    };

export interface AppDatabase {
  readonly store: IdempotencyStore<unknown>;
  /** Appends a ledger row inside `tx`; resolves to its id. */
  insert(tx: unknown, row: LedgerInsert): Promise<number>;
  close(): Promise<void>;
}

export async function openDatabase(config: DatabaseConfig): Promise<AppDatabase> {
  if (config.kind === 'sqlite') {
    const { sqliteStore } = await import('@landed/server/sqlite');
    // NORMAL in WAL survives SIGKILL of the app, which is the crash this harness injects.
    const store = sqliteStore({ path: config.path, synchronous: 'NORMAL' });
    store.database.exec(SQLITE_LEDGER);
    return {
      store: store as IdempotencyStore<unknown>,
      insert: async (tx, row) => insertSqlite(tx as Parameters<typeof insertSqlite>[0], row),
      close: () => store.close(),
    };
  }
  // Resolved at run time: the PostgreSQL store is an optional part of @landed/server.
  const postgresEntry = '@landed/server/postgres';
  const { postgresStore } = (await import(postgresEntry)) as {
    postgresStore: (options: { connectionString: string; max?: number }) => IdempotencyStore<unknown>;
  };
  const store = postgresStore({
    connectionString: config.connectionString,
    ...(config.poolMax === undefined ? {} : { max: config.poolMax }),
  });
  await store.transaction(async (tx) => {
    await (tx as PgQueryable).query(POSTGRES_LEDGER);
  });
  return {
    store,
    insert: (tx, row) => insertPostgres(tx as PgQueryable, row),
    close: () => store.close(),
  };
}
