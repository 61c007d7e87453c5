import type { ChannelMessage, OutboxChannel } from '../../types/store.ts';

export interface BroadcastOutboxChannelOptions {
  /** Channel name: every tab of the same outbox must use the same one. @default 'landed:outbox' */
  name?: string;
}

const TYPES = new Set(['written', 'changed', 'flush', 'retry', 'discard']);

function isMessage(data: unknown): data is ChannelMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { type, id, principal, mode } = data as {
    type?: unknown;
    id?: unknown;
    principal?: unknown;
    mode?: unknown;
  };
  const who = principal === undefined || typeof principal === 'string';
  if (type === 'logout') return who && (mode === 'park' || mode === 'purge');
  if (type === 'login') return who;
  return TYPES.has(type as string) && (type === 'flush' || typeof id === 'string');
}

/**
 * Tells the other tabs of the origin that an entry was written (so the leader sends it) or changed
 * (so the others refresh what they show), and hands the leader what a person asked for in another tab
 * (flush, retry now, discard). Messages carry ids only: the entry itself is read back from the shared
 * store, which stays the single source of truth.
 */
export function broadcastOutboxChannel(options: BroadcastOutboxChannelOptions = {}): OutboxChannel {
  const channel = new BroadcastChannel(options.name ?? 'landed:outbox');
  const listeners = new Set<(message: ChannelMessage) => void>();
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if (!isMessage(event.data)) return;
    for (const listener of [...listeners]) listener(event.data);
  };
  let closed = false;
  return {
    post(message) {
      if (!closed) channel.postMessage(message);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      listeners.clear();
      channel.close();
    },
  };
}
