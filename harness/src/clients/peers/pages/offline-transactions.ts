/**
 * `@tanstack/offline-transactions` in a Chromium page, set up as its guide shows it
 * (https://tanstack.com/db/latest/docs/guides/offline-transactions): `startOfflineExecutor` with its
 * defaults — IndexedDB outbox, Web Locks leadership, infinite retry with its backoff (1 s·2^n, capped at
 * 60 s, jitter) — one `mutationFn` that sends the transaction's `idempotencyKey` as the
 * `Idempotency-Key` header, throws `NonRetriableError` on a refusal and an error carrying the status
 * otherwise. Each museum write is one offline transaction inserting one row into a local-only
 * collection. Every attempt is bounded at 1.5 s (`AbortSignal.timeout`, a `TimeoutError`, which the
 * library retries), the same bound every other client has.
 *
 * "Accepted" is the moment the transaction is in the IndexedDB outbox: the storage adapter is the
 * library's own `IndexedDBAdapter`, observed (not changed) so the page knows when `set` resolved.
 */
import { createCollection, localOnlyCollectionOptions } from '@tanstack/db';
import { IndexedDBAdapter, NonRetriableError, startOfflineExecutor } from '@tanstack/offline-transactions';
import type { PlannedWrite } from '../../workload.ts';
import { expose, kind, paced, principal, receiptOf, record, resultOf, settled } from './page-harness.ts';

type Row = PlannedWrite & { id: string };

class HttpError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
    this.status = status;
  }
}

/** Resolvers waiting for a transaction id to reach the outbox. */
const stored = new Map<string, () => void>();

class ObservedIndexedDB extends IndexedDBAdapter {
  override async set(key: string, value: string): Promise<void> {
    await super.set(key, value);
    stored.get(key.replace(/^tx:/, ''))?.();
  }
}

const rows = createCollection(
  localOnlyCollectionOptions<Row, string>({ id: 'museum-writes', getKey: (r) => r.id }),
);
const receipts = new Map<string, number>();

const executor = startOfflineExecutor({
  collections: { writes: rows },
  storage: new ObservedIndexedDB(),
  mutationFns: {
    sendWrite: async ({ transaction, idempotencyKey }) => {
      const row = transaction.mutations[0]?.modified as unknown as Row | undefined;
      if (!row) throw new NonRetriableError('write mutation is missing');
      const attempt = { type: 'attempt', client: kind, writeId: row.writeId } as const;
      let response: Response;
      try {
        response = await fetch(`/api${row.path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${principal}`,
            'idempotency-key': idempotencyKey,
          },
          body: JSON.stringify(row.body),
          signal: AbortSignal.timeout(1_500),
        });
      } catch (error) {
        record({ ...attempt, at: Date.now(), result: 'info' });
        throw error;
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch (error) {
        // A truncated answer: the write may or may not have landed.
        record({ ...attempt, at: Date.now(), result: 'info', status: response.status });
        throw error;
      }
      const replayed = response.headers.get('idempotent-replayed') === 'true';
      record({
        ...attempt,
        at: Date.now(),
        result: resultOf(response.status),
        status: response.status,
        ...(replayed ? { replayed } : {}),
      });
      if (response.ok) {
        const receipt = receiptOf(body);
        if (receipt !== undefined) receipts.set(row.writeId, receipt);
        return body;
      }
      if (resultOf(response.status) === 'fail') throw new NonRetriableError(`HTTP ${response.status}`);
      throw new HttpError(response.status);
    },
  },
});

async function accept(w: PlannedWrite): Promise<void> {
  const at = Date.now();
  const offline = executor.createOfflineTransaction({ mutationFnName: 'sendWrite', autoCommit: false });
  const tx = offline.mutate(() => rows.insert({ ...w, id: w.writeId }));
  const inOutbox = new Promise<void>((resolve) => stored.set(tx.id, resolve));
  const committed = offline.commit();
  committed.then(
    () => {
      const receipt = receipts.get(w.writeId);
      record({
        type: 'verdict',
        at: Date.now(),
        client: kind,
        writeId: w.writeId,
        verdict: 'confirmed',
        ...(receipt === undefined ? {} : { receipt }),
      });
    },
    () => record({ type: 'verdict', at: Date.now(), client: kind, writeId: w.writeId, verdict: 'rejected' }),
  );
  await Promise.race([inOutbox, committed.catch(() => {})]);
  stored.delete(tx.id);
  record({ type: 'enqueue', at, client: kind, writeId: w.writeId, payload: w.body });
}

await executor.waitForInit();
if (!executor.isOfflineEnabled)
  throw new Error('offline-transactions did not become the leader with a durable outbox');
expose({ run: (writes, spreadMs) => paced(writes, spreadMs, accept), drain: settled });
