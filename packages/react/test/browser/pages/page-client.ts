// The client of the React test pages: a browser client with fast backoff, whose `subscribe` counts
// its listeners so a test can see a component stop listening when it unmounts.

import type { Client } from '@landed/client';
import { createBrowserClient } from '@landed/client/browser';

const params = new URLSearchParams(location.search);

export function pageClient(): { client: Client; listeners: () => number } {
  const client = createBrowserClient({
    name: params.get('name') ?? 'landed-react-test',
    baseUrl: location.origin,
    backoffBaseMs: 50,
    backoffCapMs: 400,
    // No test waits for an attempt or an open to time out: long, so a loaded machine never turns a
    // slow answer into an uncertain one.
    timeoutMs: 30_000,
    retryBudget: { capacity: 1000, refillPerSec: 1000 },
    storeOptions: { openTimeoutMs: 30_000 },
  });
  let listeners = 0;
  const subscribe = client.subscribe;
  client.subscribe = (listener) => {
    listeners++;
    const off = subscribe(listener);
    let on = true;
    return () => {
      if (on) listeners--;
      on = false;
      off();
    };
  };
  return { client, listeners: () => listeners };
}

/** Ids of the entries the page is asked to show (`?watch=a,b`), e.g. after a reload. */
export const watched = (): string[] => (params.get('watch') ?? '').split(',').filter(Boolean);

export function expose(api: object): void {
  (globalThis as unknown as { t: object }).t = api;
  document.title = 'ready';
}
