// `client.subscribe()`: one listener told of every change to what list(), get() and summary() return,
// for UI bindings (React's useSyncExternalStore).

import { type Client, createClient, memoryStore } from '@landed/client';
import { afterEach, expect, test } from 'vitest';
import { type ProtocolServer, startProtocolServer } from './support/protocol-server.ts';

let server: ProtocolServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

test('subscribers hear the store loaded, each write and transition, the network, a discard; unsubscribing stops it', async () => {
  server = await startProtocolServer();
  const store = memoryStore();
  const first = createClient({ store, baseUrl: server.url, autoStart: false });
  const earlier = await first.post('/t', { n: 0 });
  await first.close();

  let online = false;
  const onlineListeners = new Set<(value: boolean) => void>();
  client = createClient({
    store,
    baseUrl: server.url,
    online: {
      isOnline: () => online,
      subscribe: (listener) => {
        onlineListeners.add(listener);
        return () => onlineListeners.delete(listener);
      },
    },
  });
  const seen: string[] = [];
  const off = client.subscribe(() => seen.push(client?.summary().text ?? ''));

  // Loading the store is a change: an entry written by an earlier run appears in the summary.
  await expect.poll(() => seen.at(-1)).toBe('1 write waiting');
  expect(client.get(earlier.id)).toBeDefined();

  const handle = await client.post('/t', { n: 1 });
  expect(seen.at(-1)).toBe('2 writes waiting');
  const discarded = await client.post('/t', { n: 2 }, { lane: 'other' });
  await client.discard(discarded.id);
  expect(seen.at(-1)).toBe('2 writes waiting');

  const before = seen.length;
  online = true;
  for (const listener of onlineListeners) listener(true);
  expect(seen.length).toBeGreaterThan(before);
  expect((await handle.outcome).state).toBe('confirmed');
  await client.flush();
  expect(seen.at(-1)).toBe('All writes landed');

  off();
  const heard = seen.length;
  await client.post('/t', { n: 3 });
  await client.flush();
  expect(seen.length).toBe(heard);
});

test('a throwing subscriber breaks neither the client nor the other subscribers', async () => {
  server = await startProtocolServer();
  client = createClient({ store: memoryStore(), baseUrl: server.url });
  let calls = 0;
  client.subscribe(() => {
    throw new Error('app bug');
  });
  client.subscribe(() => calls++);
  const handle = await client.post('/t', { n: 1 });
  expect((await handle.outcome).state).toBe('confirmed');
  expect(calls).toBeGreaterThan(0);
});
