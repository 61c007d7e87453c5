import type { Client, Entry, Summary, WriteHandle, WriteRequest } from '@landed/client';
import { useCallback, useSyncExternalStore } from 'react';
import { useLandedClient } from './context.ts';
import { snapshotsOf } from './snapshots.ts';

/**
 * The outbox summary ("3 writes waiting, 1 needs attention"), what `client.summary()` gives, kept
 * current. The component renders again only when a figure in it changes.
 * @throws LandedError `NO_CLIENT` outside a `LandedProvider` without a `client` argument.
 */
export function useOutboxSummary(client?: Client): Summary {
  const snapshots = snapshotsOf(useLandedClient(client));
  return useSyncExternalStore(snapshots.subscribe, snapshots.summary, snapshots.summary);
}

/**
 * The live state of one entry (`client.get(id)`): its state, attempts, last error and outcome;
 * `undefined` before it is known (no id yet, the store still loading) and once it left the outbox.
 * @throws LandedError `NO_CLIENT` outside a `LandedProvider` without a `client` argument.
 */
export function useEntry(id: string | undefined, client?: Client): Entry | undefined {
  const found = useLandedClient(client);
  const snapshots = snapshotsOf(found);
  // The client replaces an entry's object on every change, so the entry itself is a stable snapshot.
  const read = useCallback(() => (id === undefined ? undefined : found.get(id)), [found, id]);
  return useSyncExternalStore(snapshots.subscribe, read, read);
}

/**
 * A `write` function (the same one across renders): it resolves once the write is durably in the
 * outbox, with `{ id, key, outcome }` — give `id` to `useEntry` to show it, await `outcome` for the end.
 * The outbox owns the write from then on: it is sent even if the component unmounts.
 * @throws LandedError `NO_CLIENT` outside a `LandedProvider` without a `client` argument.
 */
export function useWrite(client?: Client): (request: WriteRequest) => Promise<WriteHandle> {
  const found = useLandedClient(client);
  return useCallback((request: WriteRequest) => found.write(request), [found]);
}
