/**
 * The embedded default store: one SQLite file through the built-in `node:sqlite`, in WAL mode. The
 * handler's transaction is the `DatabaseSync` itself inside `BEGIN IMMEDIATE`, so the business write
 * and the key record commit together: the claim is written inside that same transaction (SQLite has
 * one writer, so nothing can race it), one commit per request. Writes on the connection are serialised;
 * a second, read-only connection answers replays without waiting for the writer, and claims in flight
 * in this process answer 409 from memory.
 */
import { DatabaseSync } from 'node:sqlite';
import type { BeginResult, ClaimInput, IdempotencyStore, StoredRecord } from '../../core/types.ts';
import { IdempotencyError } from '../../errors/IdempotencyError.ts';
import { lockLost, storeClosed } from '../errors.ts';
import { type SqlStoreOptions, sqlStoreTable } from '../sql/options.ts';
import { RECORD_COLUMNS, type RecordRow, toRecord } from '../sql/row.ts';
import { sqliteSchema } from './schema.ts';
import { createSerial } from './serial.ts';

export interface SqliteStoreOptions extends SqlStoreOptions {
  /** A file path (created when missing). One of `path` or `database` is required. */
  path?: string;
  /** An open connection the app already uses for its business tables. */
  database?: DatabaseSync;
  /**
   * How long a write waits for another process's lock, in milliseconds.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * `PRAGMA synchronous`. `NORMAL` in WAL survives any process crash (SIGKILL included) but may lose the
   * last commits on power loss; `FULL` also survives power loss, at one fsync per commit.
   * @default 'FULL'
   */
  synchronous?: 'FULL' | 'NORMAL';
}

export interface SqliteStore extends IdempotencyStore<DatabaseSync> {
  /** The write connection: the same object handlers receive as `tx`. */
  readonly database: DatabaseSync;
}

export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const table = sqlStoreTable(
    'sqliteStore',
    options,
    ['path', 'database'],
    '`path` (a file) or `database` (an open DatabaseSync)',
  );
  const busy = options.busyTimeoutMs ?? 5000;
  const owned = options.database === undefined;
  const db = options.database ?? new DatabaseSync(options.path as string);
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busy))}`);
  if (options.path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.exec(sqliteSchema(table));

  // Readers see only committed state; without one (shared or in-memory database) reads take the lock.
  const reader =
    owned && options.path !== ':memory:'
      ? new DatabaseSync(options.path as string, { readOnly: true })
      : undefined;
  reader?.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busy))}`);
  const writer = createSerial();
  let closed = false;
  let reapedUntil = 0;

  const select = `SELECT ${RECORD_COLUMNS} FROM ${table} WHERE scope = ? AND key = ?`;
  const sql = {
    select: db.prepare(select),
    readerSelect: reader?.prepare(select),
    claim: db.prepare(
      `INSERT INTO ${table} (scope, key, fingerprint, state, lock_token, locked_at, created_at, expires_at, purge_at)
       VALUES (?, ?, ?, 'started', ?, ?, ?, ?, ?)
       ON CONFLICT (scope, key) DO UPDATE SET
         fingerprint = excluded.fingerprint, state = 'started', lock_token = excluded.lock_token,
         locked_at = excluded.locked_at, status = NULL, headers = NULL, body = NULL,
         created_at = excluded.created_at, finished_at = NULL, expires_at = excluded.expires_at,
         purge_at = excluded.purge_at
       WHERE ${table}.purge_at IS NOT NULL AND ${table}.purge_at <= excluded.created_at
       RETURNING lock_token`,
    ),
    takeOver: db.prepare(
      `UPDATE ${table} SET lock_token = ?, locked_at = ? WHERE scope = ? AND key = ? AND state = 'started' AND lock_token = ?`,
    ),
    holds: db.prepare(
      `SELECT 1 AS ok FROM ${table} WHERE scope = ? AND key = ? AND state = 'started' AND lock_token = ?`,
    ),
    finish: db.prepare(
      `UPDATE ${table} SET state = 'finished', lock_token = NULL, locked_at = NULL, status = ?, headers = ?, body = ?,
         finished_at = ?
       WHERE scope = ? AND key = ? AND state = 'started' AND lock_token = ?`,
    ),
    release: db.prepare(
      `DELETE FROM ${table} WHERE scope = ? AND key = ? AND state = 'started' AND lock_token = ?`,
    ),
    reap: db.prepare(
      `UPDATE ${table} SET body = NULL, headers = NULL WHERE expires_at > ? AND expires_at <= ? AND body IS NOT NULL`,
    ),
    purge: db.prepare(`DELETE FROM ${table} WHERE expires_at <= ? AND purge_at <= ?`),
  };

  const open = () => {
    if (closed) throw storeClosed('SQLite');
  };
  const read = (scope: string, key: string) => {
    // The write connection when no transaction is open on it: it sees exactly what is committed, and
    // its page cache is warm (every commit invalidates the reader's). Inside a transaction it would see
    // uncommitted rows, so then the reader answers.
    const statement = db.isTransaction ? (sql.readerSelect ?? sql.select) : sql.select;
    const row = statement.get(scope, key) as RecordRow | undefined;
    return row ? toRecord(row) : undefined;
  };
  const live = (record: StoredRecord | undefined, now: number) =>
    record && !(record.purgeAt !== null && record.purgeAt <= now) ? record : undefined;

  // Claims in flight in this process. The claim is written inside the business transaction (one
  // commit per request), so until it commits other requests learn of it here: 409, never a wait.
  const inFlight = new Map<string, StoredRecord>();
  const flightId = (scope: string, key: string) => `${scope.length}:${scope}${key}`;

  /** BEGIN IMMEDIATE, `step` (claim or takeover) and, when it took the key, `work`; one commit. */
  function claimed<T>(
    input: ClaimInput,
    step: () => boolean,
    work: (tx: DatabaseSync) => Promise<T>,
  ): Promise<BeginResult<T>> {
    const id = flightId(input.scope, input.key);
    inFlight.set(id, {
      scope: input.scope,
      key: input.key,
      fingerprint: input.fingerprint,
      state: 'started',
      lockToken: null,
      lockedAt: input.now,
      status: null,
      headers: null,
      body: null,
      createdAt: input.now,
      expiresAt: null,
      purgeAt: null,
    });
    return writer
      .run(async (): Promise<BeginResult<T>> => {
        open();
        db.exec('BEGIN IMMEDIATE');
        let value: T;
        try {
          if (!step()) {
            const existing = sql.select.get(input.scope, input.key) as RecordRow | undefined;
            db.exec('ROLLBACK');
            return { claimed: false, record: existing && toRecord(existing) };
          }
          value = await work(db);
        } catch (error) {
          try {
            if (db.isTransaction) db.exec('ROLLBACK');
          } catch {
            // The original error is what the caller needs; SQLite rolls an unfinished transaction back itself.
          }
          throw error;
        }
        commit();
        return { claimed: true, value };
      })
      .finally(() => inFlight.delete(id));
  }

  function commit(): void {
    try {
      db.exec('COMMIT');
    } catch (error) {
      try {
        if (db.isTransaction) db.exec('ROLLBACK');
      } catch {}
      throw new IdempotencyError(
        'store-unavailable',
        'SQLite could not commit the transaction; nothing was applied.',
        { cause: error },
      );
    }
  }

  return {
    kind: 'sqlite',
    database: db,
    async begin(input, work) {
      open();
      // Fast path: a known key needs no write, so replays and 409s never queue behind the writer.
      const id = flightId(input.scope, input.key);
      const known = inFlight.get(id) ?? (reader ? live(read(input.scope, input.key), input.now) : undefined);
      if (known) return { claimed: false, record: known };
      return claimed(
        input,
        () => {
          const row = sql.claim.get(
            input.scope,
            input.key,
            input.fingerprint,
            input.lockToken,
            input.now,
            input.now,
            input.expiresAt,
            input.purgeAt,
          ) as { lock_token: string } | undefined;
          return row?.lock_token === input.lockToken;
        },
        work,
      );
    },
    async takeOver(input, work) {
      open();
      // A claim alive in this process is not stale, whatever its age.
      const alive = inFlight.get(flightId(input.scope, input.key));
      if (alive) return { claimed: false, record: alive };
      return claimed(
        input,
        () =>
          Number(
            sql.takeOver.run(input.lockToken, input.now, input.scope, input.key, input.expectedToken).changes,
          ) === 1,
        work,
      );
    },
    transaction<T>(fn: (tx: DatabaseSync) => Promise<T>): Promise<T> {
      return writer.run(async () => {
        open();
        db.exec('BEGIN IMMEDIATE');
        let result: T;
        try {
          result = await fn(db);
        } catch (error) {
          try {
            if (db.isTransaction) db.exec('ROLLBACK');
          } catch {}
          throw error;
        }
        commit();
        return result;
      });
    },
    async finish(_tx, scope, key, lockToken, o) {
      const changes = sql.finish.run(
        o.status,
        JSON.stringify(o.headers),
        o.body,
        o.now,
        scope,
        key,
        lockToken,
      ).changes;
      if (Number(changes) !== 1) throw lockLost();
    },
    release(scope, key, lockToken) {
      return writer.run(() => {
        if (!closed) sql.release.run(scope, key, lockToken);
      });
    },
    isUnavailable: isSqliteUnavailable,
    async get(scope, key) {
      open();
      const flying = inFlight.get(flightId(scope, key));
      if (flying) return flying;
      if (reader) return read(scope, key);
      return writer.run(() => read(scope, key));
    },
    reap(now, graceMs) {
      return writer.run(() => {
        open();
        // Only the range not reaped yet: tombstones already stripped are not scanned again.
        const reaped = Number(sql.reap.run(reapedUntil, now).changes);
        reapedUntil = now;
        const purged = Number(sql.purge.run(now - graceMs, now).changes);
        return { reaped, purged };
      });
    },
    close() {
      return writer.run(() => {
        if (closed) return;
        closed = true;
        reader?.close();
        if (owned) db.close();
      });
    },
  };
}

// SQLITE_BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN: the database failed, not the query.
const UNAVAILABLE = new Set([5, 6, 8, 10, 11, 13, 14]);

function isSqliteUnavailable(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode === 'number' && UNAVAILABLE.has(errcode & 0xff)) return true;
  return /database is not open/i.test(String((error as Error | null)?.message));
}
