/**
 * The store for several server processes sharing one PostgreSQL through `pg`. The claim is an
 * `INSERT … ON CONFLICT DO NOTHING` committed on its own (the primary key decides every race, across
 * processes, and every process sees the key in progress); the handler's transaction is a `PoolClient`
 * inside `BEGIN`, and the record is marked finished in it, so the business write commits with the
 * record. Finishing compares the lock token: an attempt whose stale lock was taken over rolls back.
 */
import pg from 'pg';
import type { BeginResult, ClaimInput, IdempotencyStore } from '../../core/types.ts';
import { IdempotencyError } from '../../errors/IdempotencyError.ts';
import { type RecordRow, toRecord } from '../row.ts';
import { checkTableName } from '../sqlite/schema.ts';
import { postgresSchema } from './schema.ts';

export interface PostgresStoreOptions {
  /** A pool the app already has (it stays open on `close()`). One of `pool` or `connectionString` is required. */
  pool?: pg.Pool;
  /** Opens a pool of its own (closed on `close()`). */
  connectionString?: string;
  /**
   * Table for the key records.
   * @default 'landed_idempotency'
   */
  table?: string;
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
}

export interface PostgresStore extends IdempotencyStore<pg.PoolClient> {
  readonly pool: pg.Pool;
  /** Creates the table and indexes now (otherwise done on first use). */
  ready(): Promise<void>;
}

const COLUMNS =
  'scope, key, fingerprint, state, lock_token, locked_at, status, headers, body, created_at, expires_at, purge_at';

export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (!options || (options.pool === undefined && options.connectionString === undefined)) {
    throw new IdempotencyError(
      'invalid-options',
      'postgresStore(): pass `pool` (a pg.Pool) or `connectionString`.',
    );
  }
  let table: string;
  try {
    table = checkTableName(options.table ?? 'landed_idempotency');
  } catch (error) {
    throw new IdempotencyError('invalid-options', `postgresStore(): ${(error as Error).message}`);
  }
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

  const ready = (): Promise<void> => {
    if (closed)
      return Promise.reject(
        new IdempotencyError(
          'store-closed',
          'The PostgreSQL idempotency store was closed; create a new one.',
        ),
      );
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
    const { rows } = await db.query(`SELECT ${COLUMNS} FROM ${table} WHERE scope = $1 AND key = $2`, [
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
   * On one connection: `step` (the claim or the takeover) commits on its own and the business
   * transaction opens, in a single round trip (`BEGIN; …; COMMIT; BEGIN` as one simple query); then `work`
   * runs in that transaction. When `step` changed no row, nothing runs and the record is returned.
   */
  async function claimed<T>(
    input: ClaimInput,
    step: (lit: (value: string) => string) => string,
    work: (tx: pg.PoolClient) => Promise<T>,
  ): Promise<BeginResult<T>> {
    return withClient(async (client, rollback, broken) => {
      // The claim commits on its own (visible to every process from here) and BEGIN opens the business
      // transaction. The claim's commit does not wait for its WAL flush: the business commit flushes it
      // (the WAL is sequential), and a claim lost in a database crash only means nothing ran yet.
      let results: pg.QueryResult[];
      try {
        results = (await client.query(
          `BEGIN; SET LOCAL synchronous_commit TO OFF; ${step((v) => client.escapeLiteral(v))}; COMMIT; BEGIN`,
        )) as unknown as pg.QueryResult[];
      } catch (error) {
        await rollback();
        throw error;
      }
      if (results[2]?.rowCount !== 1) {
        await client.query('ROLLBACK');
        const record = await select(client, input.scope, input.key);
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
          throw new IdempotencyError(
            'lock-lost',
            'The key record was taken over by another attempt before this one finished.',
          );
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
          `INSERT INTO ${table} (scope, key, fingerprint, state, lock_token, locked_at, created_at, expires_at, purge_at)
           VALUES (${lit(input.scope)}, ${lit(input.key)}, ${lit(input.fingerprint)}, 'started', ${lit(input.lockToken)},
             ${int(input.now)}, ${int(input.now)}, ${int(input.expiresAt)}, ${int(input.purgeAt)})
           ON CONFLICT (scope, key) DO NOTHING`,
        work,
      );
    },
    takeOver(input, work) {
      return claimed(
        input,
        (lit) =>
          `UPDATE ${table} SET lock_token = ${lit(input.lockToken)}, locked_at = ${int(input.now)}
           WHERE scope = ${lit(input.scope)} AND key = ${lit(input.key)} AND state = 'started' AND lock_token = ${lit(input.expectedToken)}`,
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
      // Sent with the COMMIT (see `claimed`). Only this attempt's lock token matches: when a takeover won
      // meanwhile, the count is 0 and 1/0 aborts the transaction, business write included.
      const lit = (v: string) => tx.escapeLiteral(v);
      finishes.set(
        tx,
        `WITH finished AS (
           UPDATE ${table} SET state = 'finished', lock_token = NULL, locked_at = NULL, status = ${int(o.status)},
             headers = ${lit(JSON.stringify(o.headers))}, body = ${lit(o.body)}, finished_at = ${int(o.now)}
           WHERE scope = ${lit(scope)} AND key = ${lit(key)} AND state = 'started' AND lock_token = ${lit(lockToken)}
           RETURNING 1)
         SELECT 1 / count(*)::int AS owned FROM finished`,
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
      const reaped = await pool.query(
        `UPDATE ${table} SET body = NULL, headers = NULL WHERE expires_at > $1 AND expires_at <= $2 AND body IS NOT NULL`,
        [reapedUntil, now],
      );
      reapedUntil = now;
      const purged = await pool.query(`DELETE FROM ${table} WHERE expires_at <= $1 AND purge_at <= $2`, [
        now - graceMs,
        now,
      ]);
      return { reaped: reaped.rowCount ?? 0, purged: purged.rowCount ?? 0 };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await pool.end();
    },
  };
}

type Queryable = Pick<pg.Pool, 'query'>;

const DIVISION_BY_ZERO = '22012';

/** Connection-level failures (server gone, shut down, unreachable) as opposed to a bad query. */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (/^(08|57P|53)/.test(code) || /^E(CONN|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH)/.test(code))
  )
    return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}
