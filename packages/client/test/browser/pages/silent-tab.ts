// A tab of the outbox tests' origin whose notices never leave it: its channel drops what it posts, as
// when a tab dies between committing a write and telling the sending tab. Driven through `window.t`.

import { createBrowserClient } from '@landed/client/browser';

const name = new URLSearchParams(location.search).get('name') ?? 'landed-test';
const client = createBrowserClient({
  name,
  baseUrl: location.origin,
  channel: { post() {}, subscribe: () => () => {}, close() {} },
});
const api = {
  async write(body: unknown) {
    const handle = await client.post('/api/orders', body);
    return { id: handle.id, key: handle.key };
  },
  entries: () => client.list().map((e) => ({ id: e.id, key: e.key, state: e.state, attempts: e.attempts })),
  summary: () => client.summary(),
};
(globalThis as unknown as { t: typeof api }).t = api;
document.title = 'ready';
