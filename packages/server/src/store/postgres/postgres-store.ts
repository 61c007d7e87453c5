/**
 * The store for several server processes sharing one PostgreSQL through `pg`. The claim is an
 * `INSERT … ON CONFLICT DO NOTHING` committed on its own (the primary key decides every race, across
 * processes, and every process sees the key in progress); the handler's transaction is a `PoolClient`
 * inside `BEGIN`, and the record is marked finished in it, so the business write commits with the
 * record. Finishing compares the lock token: an attempt whose stale lock was taken over rolls back.
 *
 * The store's statements are prepared once on each connection (`PREPARE`, guarded so that it is
 * idempotent; statements.ts) and run with `EXECUTE` inside the multi-statement queries that keep a keyed write at the
 * bare write's three round trips: PostgreSQL parses and plans them once per connection, not per request.
 */
import pg from 'pg';
import type { BeginResult, ClaimInput, IdempotencyStore } from '../../core/types.ts';
import { IdempotencyError } from '../../errors/IdempotencyError.ts';
import { lockLost, storeClosed } from '../errors.ts';
import { type SqlStoreOptions, sqlStoreTable } from '../sql/options.ts';
import { RECORD_COLUMNS, type RecordRow, toRecord } from '../sql/row.ts';
import { DIVISION_BY_ZERO, isConnectionError, UNDEFINED_PREPARED_STATEMENT } from './pg-errors.ts';
import { pruneInBatches } from './prune.ts';
import { postgresSchema } from './schema.ts';
import { literal, postgresStatements } from './statements.ts';

export interface PostgresStoreOptions extends SqlStoreOptions {
  /** A pool the app already has (it stays open on `close()`). One of `pool` or `connectionString` is required. */
  pool?: pg.Pool;
  /** Opens a pool of its own (closed on `close()`). */
  connectionString?: string;
  /**
   * Size of the pool opened from `connectionString`.
   * @default 10
   */
  max?: number;
  /**
   * How long to wait for a connection before answering 503, in milliseconds.
   * @default 5000
   */
  connectionTimeoutMs?: number;
  /**
   * Rows stripped or deleted per transaction when old keys are pruned (`reap()`): small batches keep
   * the writes going on meanwhile at their usual latency.
   * @default 1000
   */
  pruneBatch?: number;
}

export interface PostgresStore extends IdempotencyStore<pg.PoolClient> {
  readonly pool: pg.Pool;
  /** Creates the table and indexes now (otherwise done on first use). */
  ready(): Promise<void>;
}

export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const table = sqlStoreTable(
    'postgresStore',
    options,
    ['pool', 'connectionString'],
    '`pool` (a pg.Pool) or `connectionString`',
  );
  const pruneBatch = options.pruneBatch ?? 1000;
  if (!Number.isInteger(pruneBatch) || pruneBatch < 1)
    throw new IdempotencyError(
      'invalid-options',
      `postgresStore(): pruneBatch must be a whole number of rows, at least 1 (got ${String(options.pruneBatch)}).`,
    );
  const owned = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    });
  // An idle client losing its server must not crash the process; the next query reports it as a 503.
  if (owned) pool.on('error', () => {});
  let schema: Promise<void> | undefined;
  let closed = false;
  let reapedUntil = 0;
  // The finishing UPDATE of each open business transaction, sent with its COMMIT.
  const finishes = new WeakMap<pg.PoolClient, string>();

  const { sql, prepareAll, isPrepared, markPrepared } = postgresStatements(table);

  const ready = (): Promise<void> => {
    if (closed) return Promise.reject(storeClosed('PostgreSQL'));
    schema ??= (async () => {
      const client = await pool.connect();
      try {
        // Several processes may start at once: CREATE … IF NOT EXISTS alone races on the catalog.
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [table]);
        await client.query(postgresSchema(table));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    })().catch((error: unknown) => {
      schema = undefined;
      throw error;
    });
    return schema;
  };

  const select = async (db: Queryable, scope: string, key: string) => {
    const { rows } = await db.query(`SELECT ${RECORD_COLUMNS} FROM ${table} WHERE scope = $1 AND key = $2`, [
      scope,
      key,
    ]);
    return rows[0] ? toRecord(rows[0] as RecordRow) : undefined;
  };

  /**
   * A checked-out connection for `fn`, released (destroyed when broken) afterwards. `rollback` ends an
   * open transaction; a connection that cannot even do that is broken.
   */
  async function withClient<T>(
    fn: (client: pg.PoolClient, rollback: () => Promise<void>, broken: () => void) => Promise<T>,
  ): Promise<T> {
    await ready();
    const client = await pool.connect();
    let isBroken = false;
    // A connection lost while checked out is emitted on the client: without a listener it would crash
    // the process. The next query on it rejects, and that becomes the 503.
    const broken = () => {
      isBroken = true;
    };
    client.on('error', broken);
    const rollback = () => client.query('ROLLBACK').then(() => {}, broken);
    try {
      return await fn(client, rollback, broken);
    } finally {
      client.off('error', broken);
      client.release(isBroken);
    }
  }

  /**
   * On one connection: `step` (the claim or the takeover, an `EXECUTE`) commits on its own and the
   * business transaction opens, in a single round trip (`BEGIN; …; COMMIT AND CHAIN` as one simple query,
   * preceded on a connection's first use by the statements' preparation); then `work` runs in that
   * transaction. When `step` changed no row, nothing runs and the record is returned.
   */
  async function claimed<T>(
    input: ClaimInput,
    step: (lit: (value: string) => string) => string,
    work: (tx: pg.PoolClient) => Promise<T>,
  ): Promise<BeginResult<T>> {
    return withClient(async (client, rollback, broken) => {
      // Keys, scopes, fingerprints and tokens rarely hold a quote or a backslash: only those need pg's escaping.
      const lit = literal(client);
      // The claim commits on its own (visible to every process from here) and BEGIN opens the business
      // transaction. The claim's commit does not wait for its WAL flush: the business commit flushes it
      // (the WAL is sequential), and a claim lost in a database crash only means nothing ran yet.
      const claim = `BEGIN; SET LOCAL synchronous_commit TO OFF; ${step(lit)}; COMMIT AND CHAIN`;
      let results: pg.QueryResult[];
      let prepare = !isPrepared(client);
      for (;;) {
        try {
          results = (await client.query(
            prepare ? `${prepareAll}; ${claim}` : claim,
          )) as unknown as pg.QueryResult[];
          if (prepare) markPrepared(client, true);
          break;
        } catch (error) {
          await rollback();
          // The connection lost its prepared statements: prepare them again, once.
          if (!prepare && (error as { code?: unknown }).code === UNDEFINED_PREPARED_STATEMENT) {
            markPrepared(client, false);
            prepare = true;
            continue;
          }
          throw error;
        }
      }
      if (results[prepare ? 3 : 2]?.rowCount !== 1) {
        // The key is taken: end the business transaction and read the record, in one round trip.
        let found: pg.QueryResult;
        try {
          [, found] = (await client.query(
            `ROLLBACK; EXECUTE ${sql.select.name}(${lit(input.scope)}, ${lit(input.key)})`,
          )) as unknown as [pg.QueryResult, pg.QueryResult];
        } catch (error) {
          broken();
          throw error;
        }
        const record = found.rows[0] ? toRecord(found.rows[0] as RecordRow) : undefined;
        if (record?.purgeAt != null && record.purgeAt <= input.now) {
          // A tombstone past its time counts as absent: drop it, and the caller claims again.
          await client.query(`DELETE FROM ${table} WHERE scope = $1 AND key = $2 AND purge_at <= $3`, [
            input.scope,
            input.key,
            input.now,
          ]);
          return { claimed: false, record: undefined };
        }
        return { claimed: false, record };
      }
      let value: T;
      try {
        value = await work(client);
      } catch (error) {
        // Never leave a finishing UPDATE behind on a connection that goes back to the pool.
        finishes.delete(client);
        await rollback();
        throw error;
      }
      const finishing = finishes.get(client);
      finishes.delete(client);
      try {
        // The record's UPDATE travels with the COMMIT: one round trip, as the business write alone would take.
        await client.query(finishing ? `${finishing}; COMMIT` : 'COMMIT');
      } catch (error) {
        if ((error as { code?: unknown }).code === DIVISION_BY_ZERO) {
          await rollback();
          throw lockLost();
        }
        broken();
        throw new IdempotencyError('store-unavailable', 'PostgreSQL could not commit the transaction.', {
          cause: error,
        });
      }
      return { claimed: true, value };
    });
  }

  const int = (n: number) => String(Math.trunc(n));

  return {
    kind: 'postgres',
    pool,
    ready,
    begin(input, work) {
      return claimed(
        input,
        (lit) =>
          `EXECUTE ${sql.claim.name}(${lit(input.scope)}, ${lit(input.key)}, ${lit(input.fingerprint)}, ${lit(input.lockToken)}, ${int(input.now)}, ${int(input.expiresAt)}, ${int(input.purgeAt)})`,
        work,
      );
    },
    takeOver(input, work) {
      return claimed(
        input,
        (lit) =>
          `EXECUTE ${sql.takeOver.name}(${lit(input.scope)}, ${lit(input.key)}, ${lit(input.lockToken)}, ${int(input.now)}, ${lit(input.expectedToken)})`,
        work,
      );
    },
    transaction<T>(fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
      // Writes without a key: no record to finish.
      return withClient(async (client, rollback) => {
        await client.query('BEGIN');
        let result: T;
        try {
          result = await fn(client);
        } catch (error) {
          await rollback();
          throw error;
        }
        await client.query('COMMIT');
        return result;
      });
    },
    async finish(tx, scope, key, lockToken, o) {
      // Sent with the COMMIT (see `claimed`), which the lock token check aborts when it fails.
      const lit = literal(tx);
      finishes.set(
        tx,
        `EXECUTE ${sql.finish.name}(${lit(scope)}, ${lit(key)}, ${lit(lockToken)}, ${int(o.status)}, ${lit(JSON.stringify(o.headers))}, ${lit(o.body)}, ${int(o.now)})`,
      );
    },
    async release(scope, key, lockToken) {
      await ready();
      await pool.query(
        `DELETE FROM ${table} WHERE scope = $1 AND key = $2 AND state = 'started' AND lock_token = $3`,
        [scope, key, lockToken],
      );
    },
    async get(scope, key) {
      await ready();
      return select(pool, scope, key);
    },
    isUnavailable: isConnectionError,
    async reap(now, graceMs) {
      await ready();
      // Only the range not reaped yet by this process: stripped tombstones are not scanned again.
      const result = await pruneInBatches(pool, table, { now, graceMs, reapedUntil, batch: pruneBatch });
      reapedUntil = now;
      return result;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await pool.end();
    },
  };
}

type Queryable = Pick<pg.Pool, 'query'>;
