/**
 * The PostgreSQL store's prepared statements: their texts for one table, the guarded `DO` block that
 * prepares whichever a connection lacks, and the record of which connection has them.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RECORD_COLUMNS } from '../sql/row.ts';

/**
 * Which statement sets are prepared on which connection, shared by every store in the process (a set's
 * id hashes its text, so two stores on one table share it). A connection that lost them (`DISCARD
 * ALL`, a pooler handing out another server connection) answers `EXECUTE` with 26000: forgotten here,
 * prepared again, retried once.
 */
const preparedOn = new WeakMap<object, Set<string>>();

/**
 * A SQL string literal. Keys, scopes, fingerprints and tokens rarely hold a quote or a backslash: only
 * those go through pg's escaping (which walks the string character by character).
 */
export const literal =
  (client: pg.PoolClient) =>
  (value: string): string =>
    value.includes("'") || value.includes('\\') ? client.escapeLiteral(value) : `'${value}'`;

/** A statement prepared per connection: its name hashes its text, so one name never means two texts. */
function statement(kind: string, params: string, text: string): { name: string; prepare: string } {
  const name = `landed_${kind}_${createHash('sha256').update(`${params}\n${text}`).digest('hex').slice(0, 16)}`;
  return { name, prepare: `PREPARE ${name} (${params}) AS ${text}` };
}

export interface PostgresStatements {
  sql: Record<'claim' | 'takeOver' | 'finish' | 'select', { name: string; prepare: string }>;
  /** Prepares whichever of the statements the connection lacks: one DO block, safe to run again. */
  prepareAll: string;
  isPrepared(client: pg.PoolClient): boolean;
  markPrepared(client: pg.PoolClient, prepared: boolean): void;
}

export function postgresStatements(table: string): PostgresStatements {
  const sql = {
    claim: statement(
      'claim',
      'text, text, text, text, bigint, bigint, bigint',
      `INSERT INTO ${table} (scope, key, fingerprint, state, lock_token, locked_at, created_at, expires_at, purge_at)
       VALUES ($1, $2, $3, 'started', $4, $5, $5, $6, $7)
       ON CONFLICT (scope, key) DO NOTHING`,
    ),
    takeOver: statement(
      'take_over',
      'text, text, text, bigint, text',
      `UPDATE ${table} SET lock_token = $3, locked_at = $4
       WHERE scope = $1 AND key = $2 AND state = 'started' AND lock_token = $5`,
    ),
    // Only this attempt's lock token matches: when a takeover won meanwhile, the count is 0 and 1/0
    // aborts the transaction, business write included.
    finish: statement(
      'finish',
      'text, text, text, smallint, text, text, bigint',
      `WITH finished AS (
         UPDATE ${table} SET state = 'finished', lock_token = NULL, locked_at = NULL, status = $4,
           headers = $5, body = $6, finished_at = $7
         WHERE scope = $1 AND key = $2 AND state = 'started' AND lock_token = $3
         RETURNING 1)
       SELECT 1 / count(*)::int AS owned FROM finished`,
    ),
    select: statement(
      'select',
      'text, text',
      `SELECT ${RECORD_COLUMNS} FROM ${table} WHERE scope = $1 AND key = $2`,
    ),
  };
  // Prepares whichever of them the connection lacks: one DO block, safe to run again.
  const prepareAll = `DO $landed$ BEGIN ${Object.values(sql)
    .map(
      ({ name, prepare }) =>
        `IF NOT EXISTS (SELECT FROM pg_prepared_statements WHERE name = '${name}') THEN EXECUTE '${prepare.replaceAll("'", "''")}'; END IF;`,
    )
    .join(' ')} END $landed$`;
  const setId = createHash('sha256').update(prepareAll).digest('hex').slice(0, 16);
  const isPrepared = (client: pg.PoolClient) => preparedOn.get(client)?.has(setId) === true;
  const markPrepared = (client: pg.PoolClient, prepared: boolean) => {
    let sets = preparedOn.get(client);
    if (!sets) {
      sets = new Set();
      preparedOn.set(client, sets);
    }
    if (prepared) sets.add(setId);
    else sets.delete(setId);
  };
  return { sql, prepareAll, isPrepared, markPrepared };
}
