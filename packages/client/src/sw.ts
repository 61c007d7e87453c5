/**
 * @landed/client/sw — the outbox's sender in a service worker, so writes queued in a page go out when
 * the network returns even with no tab of the app open (Background Sync's `sync` event where the
 * browser has it). In the worker's script: `serviceWorkerSender()`. In the page, beside
 * `createBrowserClient()` from '@landed/client/browser': `connectServiceWorker()`.
 */

export type {
  ConnectServiceWorkerOptions,
  ServiceWorkerLink,
} from './adapter/service-worker/page-link.ts';
export { connectServiceWorker } from './adapter/service-worker/page-link.ts';
export type {
  ServiceWorkerSender,
  ServiceWorkerSenderOptions,
} from './adapter/service-worker/worker-sender.ts';
export { serviceWorkerSender } from './adapter/service-worker/worker-sender.ts';
