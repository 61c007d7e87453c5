import type { Client, Summary } from '@landed/client';

/**
 * What the hooks read a client through: one per client, shared by every component, so components
 * reading the same outbox see the same snapshot object (no tearing) and a snapshot stays the same
 * object until something in it changed (no re-render, no render loop). It listens to the client only
 * while a component listens to it.
 */
export interface Snapshots {
  /** For `useSyncExternalStore`; the client is told of the first listener and of the last one leaving. */
  subscribe(listener: () => void): () => void;
  /** `client.summary()`, the same object until a count, `online`, `leader` or `text` changes. */
  summary(): Summary;
}

const byClient = new WeakMap<Client, Snapshots>();

const same = (a: Summary, b: Summary): boolean => {
  for (const key in a) if (a[key as keyof Summary] !== b[key as keyof Summary]) return false;
  return true;
};

/** The shared snapshots of `client`. */
export function snapshotsOf(client: Client): Snapshots {
  let snapshots = byClient.get(client);
  if (!snapshots) {
    snapshots = createSnapshots(client);
    byClient.set(client, snapshots);
  }
  return snapshots;
}

function createSnapshots(client: Client): Snapshots {
  const listeners = new Set<() => void>();
  let stop: (() => void) | undefined;
  // Bumped on every change the client announces; a summary is recomputed once per version.
  let version = 0;
  let summaryVersion = -1;
  let current: Summary | undefined;
  let queued = false;

  // The client calls this in the middle of its own work, maybe many times in a row (a burst of
  // writes): components are told once, after it.
  const changed = () => {
    version++;
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      for (const listener of [...listeners]) listener();
    });
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      stop ??= client.subscribe(changed);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && stop) {
          stop();
          stop = undefined;
        }
      };
    },
    summary() {
      // Unheard changes are possible while nobody listens: then every read asks the client.
      if (current && stop && summaryVersion === version) return current;
      const next = client.summary();
      summaryVersion = version;
      if (!current || !same(current, next)) current = next;
      return current;
    },
  };
}
