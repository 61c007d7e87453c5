/**
 * An in-memory `IdempotencyStore` for tests and examples only: it forgets everything on restart, so it
 * cannot keep the exactly-once promise across a crash. Business writes are staged on the transaction
 * (`tx.onCommit`) so they apply together with the key record, or not at all.
 */
import type {
  BeginResult,
  ClaimInput,
  FinishInput,
  IdempotencyStore,
  StoredRecord,
} from '../../core/types.ts';
import { lockLost } from '../errors.ts';

export interface MemoryTx {
  /** Runs `apply` when the transaction commits; dropped on rollback. */
  onCommit(apply: () => void): void;
}

export interface MemoryStore extends IdempotencyStore<MemoryTx> {
  /** Every record, for assertions in tests. */
  readonly records: ReadonlyMap<string, StoredRecord>;
}

const id = (scope: string, key: string) => JSON.stringify([scope, key]);

export function memoryStore(): MemoryStore {
  const records = new Map<string, StoredRecord>();
  // One transaction at a time, as a database's write lock would: staged effects never interleave.
  let chain: Promise<unknown> = Promise.resolve();

  function transaction<T>(fn: (tx: MemoryTx) => Promise<T>): Promise<T> {
    const run = chain.then(async () => {
      const staged: Array<() => void> = [];
      const result = await fn({ onCommit: (apply) => void staged.push(apply) });
      for (const apply of staged) apply();
      return result;
    });
    chain = run.catch(() => {});
    return run;
  }

  return {
    kind: 'memory',
    records,
    async begin<T>(input: ClaimInput, work: (tx: MemoryTx) => Promise<T>): Promise<BeginResult<T>> {
      const existing = records.get(id(input.scope, input.key));
      if (existing && !(existing.purgeAt !== null && existing.purgeAt <= input.now))
        return { claimed: false, record: { ...existing } };
      records.set(id(input.scope, input.key), {
        scope: input.scope,
        key: input.key,
        fingerprint: input.fingerprint,
        state: 'started',
        lockToken: input.lockToken,
        lockedAt: input.now,
        status: null,
        headers: null,
        body: null,
        createdAt: input.now,
        expiresAt: input.expiresAt,
        purgeAt: input.purgeAt,
      });
      return { claimed: true, value: await transaction(work) };
    },
    async takeOver<T>(
      input: ClaimInput & { expectedToken: string },
      work: (tx: MemoryTx) => Promise<T>,
    ): Promise<BeginResult<T>> {
      const record = records.get(id(input.scope, input.key));
      if (record?.state !== 'started' || record.lockToken !== input.expectedToken)
        return { claimed: false, record: record && { ...record } };
      record.lockToken = input.lockToken;
      record.lockedAt = input.now;
      return { claimed: true, value: await transaction(work) };
    },
    transaction,
    async finish(tx, scope, key, lockToken, outcome: FinishInput) {
      const owned = records.get(id(scope, key));
      if (owned?.state !== 'started' || owned.lockToken !== lockToken) throw lockLost();
      tx.onCommit(() => {
        const record = records.get(id(scope, key));
        if (!record || record.lockToken !== lockToken) return;
        Object.assign(record, {
          state: 'finished',
          lockToken: null,
          lockedAt: null,
          status: outcome.status,
          headers: outcome.headers,
          body: outcome.body,
        });
      });
    },
    async release(scope, key, lockToken) {
      const record = records.get(id(scope, key));
      if (record?.state === 'started' && record.lockToken === lockToken) records.delete(id(scope, key));
    },
    async get(scope, key) {
      const record = records.get(id(scope, key));
      return record ? { ...record } : undefined;
    },
    async reap(now, _graceMs) {
      let reaped = 0;
      let purged = 0;
      for (const [k, record] of records) {
        if (record.purgeAt !== null && record.purgeAt <= now) {
          records.delete(k);
          purged++;
        } else if (record.expiresAt !== null && record.expiresAt <= now && record.body !== null) {
          record.body = null;
          record.headers = null;
          reaped++;
        }
      }
      return { reaped, purged };
    },
    async close() {},
  };
}
