import { createClient } from '../../core/createClient.ts';
import { type LocalforageStoreOptions, localforageStore } from '../../store/localforage/localforage-store.ts';
import type { Client, ClientOptions } from '../../types/client.ts';
import type { OutboxChannel, OutboxStore } from '../../types/store.ts';
import { broadcastOutboxChannel } from './broadcast-channel.ts';
import { browserFocus } from './focus.ts';
import { browserOnline } from './online.ts';
import { webLocksLeadership } from './web-locks.ts';

export interface BrowserClientOptions extends Omit<ClientOptions, 'store'> {
  /**
   * Names the outbox: the IndexedDB database, the Web Lock and the BroadcastChannel all derive from
   * it, so every tab of the app shares one outbox and one sender. Two apps on one origin need two names.
   * @default 'landed'
   */
  name?: string;
  /** @default localforageStore({ name, ...storeOptions }) */
  store?: OutboxStore;
  /** Options of the default localforage store (ignored when `store` is given). */
  storeOptions?: Omit<LocalforageStoreOptions, 'name' | 'onCommitted'>;
}

/**
 * `createClient()` wired for a web page: the localforage store, Web Locks leadership, a
 * BroadcastChannel between tabs, and flushes on `online` and when the page becomes visible.
 */
export function createBrowserClient(options: BrowserClientOptions = {}): Client {
  const { name = 'landed', store, storeOptions, ...rest } = options;
  const channel = rest.channel ?? broadcastOutboxChannel({ name: `landed:${name}` });
  const client = createClient({
    leadership: webLocksLeadership({ name: `landed:${name}` }),
    online: browserOnline(),
    focus: browserFocus(),
    ...rest,
    ...(store
      ? { channel, store }
      : {
          // The client announces a change as soon as its view moves, which can be before the store
          // has it; other tabs would then read the old entry. Our own store announces it once the
          // IndexedDB transaction completed, so those early notices are dropped.
          channel: withoutEarlyChanges(channel),
          store: localforageStore({
            ...storeOptions,
            name,
            onCommitted: (entries) => {
              // A queued entry is one the leader must send: a new write, or one a person replayed from
              // the console in this tab (which may not be the leader). Anything else is news for views.
              for (const { id, state } of entries)
                channel.post({ type: state === 'queued' ? 'written' : 'changed', id });
            },
          }),
        }),
  });
  return {
    ...client,
    async close() {
      await client.close();
      if (!rest.channel) channel.close();
    },
  };
}

function withoutEarlyChanges(channel: OutboxChannel): OutboxChannel {
  return {
    post: (message) => message.type !== 'changed' && channel.post(message),
    subscribe: (listener) => channel.subscribe(listener),
    close: () => channel.close(),
  };
}
