import { createClient } from '../../core/create-client.ts';
import { type LocalforageStoreOptions, localforageStore } from '../../store/localforage/localforage-store.ts';
import type { Client, ClientOptions } from '../../types/client.ts';
import type { OutboxStore } from '../../types/store.ts';
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
  storeOptions?: Omit<LocalforageStoreOptions, 'name'>;
}

/**
 * `createClient()` wired for a web page: the localforage store, Web Locks leadership, a
 * BroadcastChannel between tabs, and flushes on `online` and when the page becomes visible.
 */
export function createBrowserClient(options: BrowserClientOptions = {}): Client {
  const { name = 'landed', store, storeOptions, ...rest } = options;
  const channel = rest.channel ?? broadcastOutboxChannel({ name: `landed:${name}` });
  const client = createClient({
    // A page's writes and its sending share one renderer: take a burst first, send it after
    // (docs/design-notes.md, "Accepts first").
    burstHoldMs: 1_000,
    leadership: webLocksLeadership({ name: `landed:${name}` }),
    online: browserOnline(),
    focus: browserFocus(),
    ...rest,
    channel,
    store: store ?? localforageStore({ ...storeOptions, name }),
  });
  return {
    ...client,
    async close() {
      await client.close();
      if (!rest.channel) channel.close();
    },
  };
}
