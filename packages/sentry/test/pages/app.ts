// A page with the real @sentry/browser reporting to the test server's ingestion endpoint, and a
// Landed client whose writes carry secrets in every place a careless reporter would leak them.
import { createBrowserClient } from '@landed/client/browser';
import { landedBeforeSend, sentryReporter } from '@landed/sentry';
import * as Sentry from '@sentry/browser';

history.replaceState(null, '', `${location.pathname}${location.search}&token=QUERY-SECRET-7`);
// biome-ignore lint/suspicious/noDocumentCookie: the test needs a real cookie that must not leak
document.cookie = 'session=COOKIE-SECRET-42; path=/';
Sentry.init({ dsn: `http://publickey@${location.host}/1`, beforeSend: landedBeforeSend });

const client = createBrowserClient({
  name: new URLSearchParams(location.search).get('name') ?? 'sentry',
  baseUrl: location.origin,
  headers: () => ({ authorization: 'Bearer AUTH-SECRET-9' }),
  reporter: sentryReporter({ client: Sentry, includeFields: ['body.orderId'] }),
  // No lookup route and a one-second retention: an unreachable server turns a write `expired` fast.
  lookupPath: null,
  retentionSec: 1,
  retentionMarginSec: 0,
  backoffBaseMs: 100,
  backoffCapMs: 300,
  retryBudget: { capacity: 1000, refillPerSec: 1000 },
});

const api = {
  async write(orderId: string) {
    const handle = await client.post(
      `/api/orders?apikey=URL-SECRET-5`,
      { orderId, card: 'CARD-SECRET-4111' },
      { label: `order ${orderId}` },
    );
    return handle.id;
  },
  /** `count` writes at once, each on its own lane (so they are sent, and refused, side by side). */
  async writeMany(prefix: string, count: number) {
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        client.post('/api/orders', { orderId: `${prefix}-${i}` }, { lane: `${prefix}-${i}` }),
      ),
    );
  },
  states: () => client.list().map((e) => e.state),
  /** What each entry has been reported as (the mark is stored once Sentry took the event). */
  reported: () => client.list().map((e) => ({ state: e.state, reported: e.reported ?? [] })),
  leader: () => client.summary().leader,
  /** Resolves once every event handed to the SDK so far has been sent (false if that took 30 s). */
  flushSentry: () => Sentry.flush(30_000),
  captureAppError() {
    console.log(`checkout failed for ${location.href}`);
    Sentry.captureMessage(`app error on ${location.href}`);
  },
};
(globalThis as unknown as { t: typeof api }).t = api;
document.title = 'ready';
