// The page of the browser outbox tests: a browser client with fast backoff, driven through `window.t`.

import type { Outcome } from '@landed/client';
import { isLandedError } from '@landed/client';
import { createBrowserClient, localforageStore } from '@landed/client/browser';

const params = new URLSearchParams(location.search);
// Lets the test server tell which tab sent each attempt (one sender per origin).
const tab = crypto.randomUUID();
const name = params.get('name') ?? 'landed-test';
const client = createBrowserClient({
  name,
  baseUrl: location.origin,
  backoffBaseMs: Number(params.get('backoffMs') ?? 50),
  backoffCapMs: Math.max(400, Number(params.get('backoffMs') ?? 50)),
  // No test here waits for an attempt or an open to time out (the blocked-store test sets its own
  // `openTimeoutMs`): both are long so a loaded machine never turns a slow answer into an uncertain one.
  timeoutMs: 30_000,
  retryBudget: { capacity: 1000, refillPerSec: 1000 },
  headers: () => ({ 'x-test-tab': tab }),
  ...(params.get('principal') ? { principal: params.get('principal') as string } : {}),
  storeOptions: {
    openTimeoutMs: Number(params.get('openTimeoutMs') ?? 30_000),
    ...(params.get('durability') === 'strict' ? { durability: 'strict' as const } : {}),
  },
  // `?store=given`: the app hands its own store in, so the client cannot rely on the default one.
  ...(params.get('store') === 'given' ? { store: localforageStore({ name }) } : {}),
});
const outcomes: Record<string, Outcome> = {};
const track = (handle: { id: string; outcome: Promise<Outcome> }) => {
  void handle.outcome.then((outcome) => {
    outcomes[handle.id] = outcome;
  });
};
// Entries this page did not write (other tabs, an earlier load) settle too: watch them all.
client.on('transition', ({ entry }) => {
  if (
    entry.outcome &&
    (entry.state === 'confirmed' || entry.state === 'rejected' || entry.state === 'expired')
  )
    outcomes[entry.id] = entry.outcome;
});

const settle = (action: Promise<unknown>) =>
  action.then(
    () => 'ok',
    (error: unknown) => (isLandedError(error) ? error.code : String(error)),
  );

const api = {
  client,
  tab,
  outcomes,
  async write(body: unknown, lane?: string) {
    try {
      const handle = await client.post('/api/orders', body, lane === undefined ? {} : { lane });
      track(handle);
      return { id: handle.id, key: handle.key };
    } catch (error) {
      return { error: isLandedError(error) ? error.code : String(error), message: (error as Error).message };
    }
  },
  entries: () =>
    client.list().map((e) => ({
      id: e.id,
      key: e.key,
      state: e.state,
      attempts: e.attempts,
      body: e.body,
      outcome: e.outcome,
      principal: e.principal,
      parked: e.parked,
    })),
  summary: () => client.summary(),
  log: (id?: string) => client.log(id),
  flush: () => client.flush(),
  // Each resolves with the error code it failed with, if any (as the console would show it).
  discard: (id: string) => settle(client.discard(id)),
  retryNow: (id: string) => settle(client.retryNow(id)),
  replay: (id: string) => settle(client.replay(id)),
  logout: (mode: 'park' | 'purge') => client.logout(mode),
  setPrincipal: (principal: string | undefined) => client.setPrincipal(principal),
  close: () => client.close(),
};
(globalThis as unknown as { t: typeof api }).t = api;
document.title = 'ready';
