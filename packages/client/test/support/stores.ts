import type { OutboxStore, StoreChange, StoreCommitOptions } from '@landed/client';

/**
 * `inner` with its `commit` replaced by `commit` (which may call `inner.commit`): how a test makes a
 * store fail, stall or wait at a chosen commit while everything else behaves as the real store.
 */
export function withCommit(
  inner: OutboxStore,
  commit: (change: StoreChange, options?: StoreCommitOptions) => Promise<void>,
  kind = inner.kind,
): OutboxStore {
  return {
    kind,
    load: () => inner.load(),
    getEntry: (id) => inner.getEntry(id),
    readLog: (id) => inner.readLog(id),
    close: () => inner.close(),
    commit,
  };
}
