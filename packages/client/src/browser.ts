/**
 * @landed/client/browser — the browser parts of the outbox: the localforage (IndexedDB) store, one
 * sender per origin through Web Locks, a BroadcastChannel between tabs, and the online and visibility
 * flush triggers. `createBrowserClient()` wires them all to `createClient()`.
 */

export type { BroadcastOutboxChannelOptions } from './adapter/browser/broadcast-channel.ts';
export { broadcastOutboxChannel } from './adapter/browser/broadcast-channel.ts';
export type { BrowserClientOptions } from './adapter/browser/create-browser-client.ts';
export { createBrowserClient } from './adapter/browser/create-browser-client.ts';
export { browserFocus } from './adapter/browser/focus.ts';
export { browserOnline } from './adapter/browser/online.ts';
export type { WebLocksLeadershipOptions } from './adapter/browser/web-locks.ts';
export { webLocksLeadership } from './adapter/browser/web-locks.ts';
export type { LocalforageStoreOptions } from './store/localforage/localforage-store.ts';
export { localforageStore } from './store/localforage/localforage-store.ts';
