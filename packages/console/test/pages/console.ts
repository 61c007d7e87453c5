// A page with a browser client and <landed-console>, tuned by the query string: `retention` (seconds,
// with no lookup route, so an unreachable server makes writes `expired` quickly) and `backoff` (ms).
import '@landed/console';
import { createBrowserClient } from '@landed/client/browser';

const params = new URLSearchParams(location.search);
const backoff = Number(params.get('backoff') ?? 200);
const client = createBrowserClient({
  name: params.get('name') ?? 'console',
  baseUrl: location.origin,
  lookupPath: null,
  retentionSec: Number(params.get('retention') ?? 86_400),
  retentionMarginSec: 0,
  backoffBaseMs: backoff,
  backoffCapMs: backoff * 4,
  attemptsPerFlush: 3,
  retryBudget: { capacity: 1000, refillPerSec: 1000 },
});
const element = document.createElement('landed-console');
element.client = client;
document.querySelector('#app')?.append(element);

const api = {
  async write(order: string) {
    const handle = await client.post(
      '/api/orders',
      { order, seats: 2 },
      { label: `order ${order}`, lane: order },
    );
    return handle.key;
  },
  state: (key: string) => client.list().find((e) => e.key === key)?.state,
  nextAttemptAt: (key: string) => client.list().find((e) => e.key === key)?.nextAttemptAt,
  /** Resolves once nothing is in flight or due (what waits out a backoff stays). */
  flush: () => client.flush(),
  refresh: () => element.refresh(),
};
(globalThis as unknown as { t: typeof api }).t = api;
document.title = 'ready';
