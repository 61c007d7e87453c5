/**
 * Forgetting old keys on a large table without hurting the writes around it: bodies past retention are
 * stripped, and tombstones past their time deleted, in batches of `batch` rows, each batch its own
 * short transaction on one connection. The batches walk the `expires_at` index from where the last one
 * stopped (a keyset, never an OFFSET and never a rescan from the start), and each row is then reached
 * by its physical address (`ctid`) within the same statement, its conditions checked again on the row
 * itself (a row a request changed meanwhile has moved, and is left for the next prune). A single `DELETE` of a million rows would hold its locks and write its WAL in
 * one go, and the commits of the writes meanwhile would queue behind that WAL; small batches let them
 * in between. The batches commit without waiting for their WAL flush (`synchronous_commit` off on this
 * connection only): a batch lost in a database crash is simply pruned again next time.
 */
import type pg from 'pg';

export interface PruneResult {
  reaped: number;
  purged: number;
}

/**
 * Strips bodies with `expires_at` in (`reapedUntil`, `now`] and deletes rows past both
 * `now - graceMs` and their `purge_at`, `batch` rows at a time.
 */
export async function pruneInBatches(
  pool: pg.Pool,
  table: string,
  { now, graceMs, reapedUntil, batch }: { now: number; graceMs: number; reapedUntil: number; batch: number },
): Promise<PruneResult> {
  // Between two batches the prune rests as long as the last one took: at most half of one
  // connection's time (and of the database's CPU on that connection) goes to forgetting keys.
  const rest = async (since: number) => {
    const took = performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, Math.min(took, 1_000)));
  };
  const client = await pool.connect();
  let broken = false;
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query('SET synchronous_commit TO off');
    let reaped = 0;
    // `expires_at` is whole milliseconds: restarting one below the last batch's highest value reads the
    // rows that share it again (already done: filtered out) instead of skipping any of them.
    for (let from = reapedUntil; ; ) {
      const started = performance.now();
      const { rows } = await client.query<{ last: string | null; n: number }>(
        `WITH batch AS (
           SELECT ctid FROM ${table}
           WHERE expires_at > $1 AND expires_at <= $2 AND body IS NOT NULL
           ORDER BY expires_at LIMIT $3),
         stripped AS (
           UPDATE ${table} t SET body = NULL, headers = NULL
           WHERE t.ctid = ANY(ARRAY(SELECT ctid FROM batch)) AND t.expires_at > $1 AND t.expires_at <= $2
             AND t.body IS NOT NULL
           RETURNING t.expires_at)
         SELECT max(expires_at)::text AS last, count(*)::int AS n FROM stripped`,
        [from, now, batch],
      );
      const row = rows[0];
      reaped += row?.n ?? 0;
      if (!row || row.n < batch || row.last === null) break;
      from = Number(row.last) - 1;
      await rest(started);
    }
    let purged = 0;
    const cutoff = now - graceMs;
    for (let from = Number.MIN_SAFE_INTEGER; ; ) {
      const started = performance.now();
      const { rows } = await client.query<{ last: string | null; n: number }>(
        `WITH batch AS (
           SELECT ctid FROM ${table}
           WHERE expires_at > $1 AND expires_at <= $2 AND purge_at <= $3
           ORDER BY expires_at LIMIT $4),
         deleted AS (
           DELETE FROM ${table} t
           WHERE t.ctid = ANY(ARRAY(SELECT ctid FROM batch)) AND t.expires_at <= $2 AND t.purge_at <= $3
           RETURNING t.expires_at)
         SELECT max(expires_at)::text AS last, count(*)::int AS n FROM deleted`,
        [from, cutoff, now, batch],
      );
      const row = rows[0];
      purged += row?.n ?? 0;
      if (!row || row.n < batch || row.last === null) break;
      from = Number(row.last) - 1;
      await rest(started);
    }
    return { reaped, purged };
  } finally {
    if (!broken) await client.query('RESET synchronous_commit').catch(onError);
    client.off('error', onError);
    client.release(broken);
  }
}
