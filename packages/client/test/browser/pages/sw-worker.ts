// The service worker of the service-worker tests: the outbox's sender, as an app's worker script runs it.

import { isLandedError } from '@landed/client';
import { serviceWorkerSender } from '@landed/client/sw';

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
const scope = globalThis as unknown as EventTarget & {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
};

const params = new URL(scope.location.href).searchParams;
const sender = serviceWorkerSender({
  name: params.get('name') ?? 'landed-test',
  // As the test page: fast backoff, and attempts that never time out on a loaded machine.
  backoffBaseMs: 50,
  backoffCapMs: 400,
  timeoutMs: 30_000,
  retryBudget: { capacity: 1000, refillPerSec: 1000 },
  // Lets the test server tell the worker's attempts from the pages'.
  headers: () => ({ 'x-test-tab': 'service-worker' }),
});

// What the tests read back: each sync event and how its drain ended.
const drains: Array<{ tag: string; result?: string }> = [];
scope.addEventListener('sync', (event) => {
  const record: { tag: string; result?: string } = { tag: (event as Event & { tag: string }).tag };
  drains.push(record);
  (event as ExtendableEvent).waitUntil(
    sender.drain().then(
      () => {
        record.result = 'drained';
      },
      (error: unknown) => {
        record.result = isLandedError(error) ? error.code : String(error);
      },
    ),
  );
});
// Read by the test through Playwright's handle on the worker (no page need be open).
(scope as unknown as { drains: typeof drains }).drains = drains;
scope.addEventListener('install', () => void scope.skipWaiting());
scope.addEventListener('activate', (event) => (event as ExtendableEvent).waitUntil(scope.clients.claim()));
