// The page of the service-worker tests: the outbox test page (`window.t`) plus its service worker,
// driven through `window.sw`.

import { type Client, isLandedError } from '@landed/client';
import { connectServiceWorker, type ServiceWorkerLink, serviceWorkerSender } from '@landed/client/sw';

// Loaded as a dynamic import: the package's `sideEffects: false` would let the bundler drop a bare one.
await import('./outbox.ts');

const params = new URLSearchParams(location.search);
const name = params.get('name') ?? 'landed-test';
const { client } = (globalThis as unknown as { t: { client: Client } }).t;

const failure = (error: unknown) => ({
  error: isLandedError(error) ? error.code : String(error),
  message: (error as Error).message,
});

const sw = {
  /** Registers `worker` (a page of the test server) and waits until it controls this page. */
  async register(worker: string, workerName: string, scope = '/') {
    const url = `/app.js?page=${encodeURIComponent(worker)}&name=${encodeURIComponent(workerName)}`;
    const registration = await navigator.serviceWorker.register(url, { type: 'module', scope });
    if (scope === '/' && !navigator.serviceWorker.controller)
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve));
    return registration.scope;
  },
  async connect(options: { name?: string; scope?: string; timeoutMs?: number } = {}) {
    try {
      const registration = options.scope
        ? await navigator.serviceWorker.getRegistration(options.scope)
        : undefined;
      const link: ServiceWorkerLink = await connectServiceWorker(client, {
        name: options.name ?? name,
        ...(registration ? { registration } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      return { tag: link.tag, backgroundSync: link.backgroundSync };
    } catch (error) {
      return failure(error);
    }
  },
  /** The sender's entry used where it does not belong: a page. */
  misuse() {
    try {
      serviceWorkerSender({ name });
      return { error: 'none' };
    } catch (error) {
      return failure(error);
    }
  },
};
(globalThis as unknown as { sw: typeof sw }).sw = sw;
