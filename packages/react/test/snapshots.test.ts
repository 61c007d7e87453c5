// The snapshots the hooks read, and the hooks outside a provider, in Node with the real React
// (server rendering) and a real client writing to a loopback server.

import { type Client, createClient, isLandedError, type LandedError, memoryStore } from '@landed/client';
import { LandedProvider, snapshotsOf, useEntry, useOutboxSummary } from '@landed/react';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, expect, test } from 'vitest';
import { type ProtocolServer, startProtocolServer } from '../../client/test/support/protocol-server.ts';

let server: ProtocolServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

/** Counts the client's `subscribe()` listeners. */
function counted(real: Client): { client: Client; listeners: () => number } {
  let listeners = 0;
  const subscribe = real.subscribe;
  real.subscribe = (listener) => {
    listeners++;
    const off = subscribe(listener);
    return () => {
      listeners--;
      off();
    };
  };
  return { client: real, listeners: () => listeners };
}

test('a summary snapshot is the same object until a figure in it changes; listeners are told once per burst', async () => {
  server = await startProtocolServer();
  const watched = counted(createClient({ store: memoryStore(), baseUrl: server.url, autoStart: false }));
  client = watched.client;
  const snapshots = snapshotsOf(client);
  expect(snapshotsOf(client)).toBe(snapshots);
  const first = snapshots.summary();
  expect(snapshots.summary()).toBe(first);

  let told = 0;
  const off = snapshots.subscribe(() => told++);
  const alsoOff = snapshots.subscribe(() => {});
  // One subscription to the client, however many components listen.
  expect(watched.listeners()).toBe(1);

  const handle = await client.post('/t', { n: 1 });
  await Promise.resolve();
  const waiting = snapshots.summary();
  expect(waiting).not.toBe(first);
  expect(waiting.text).toBe('1 write waiting');
  expect(snapshots.summary()).toBe(waiting);
  expect(told).toBeGreaterThan(0);

  // Two writes in one go: their changes reach listeners as one notice.
  told = 0;
  await Promise.all([client.post('/t', { n: 2 }), client.post('/t', { n: 3 })]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(told).toBeGreaterThanOrEqual(1);
  expect(told).toBeLessThan(4);

  await client.flush();
  expect((await handle.outcome).state).toBe('confirmed');
  const landed = snapshots.summary();
  expect(landed.text).toBe('All writes landed');
  expect(snapshots.summary()).toBe(landed);

  off();
  expect(watched.listeners()).toBe(1);
  alsoOff();
  expect(watched.listeners()).toBe(0);
  // Nobody listens: a read still asks the client, and still gives the same object when nothing changed.
  expect(snapshots.summary()).toBe(landed);
  await client.post('/t', { n: 4 });
  expect(snapshots.summary().text).toBe('1 write waiting');
});

function Summary({ client }: { client?: Client }) {
  return createElement('p', null, useOutboxSummary(client).text);
}

function Entry() {
  return createElement('p', null, useEntry('no-such-id')?.state ?? 'none');
}

test('a hook with no provider and no client argument throws LandedError NO_CLIENT; with either it renders', async () => {
  server = await startProtocolServer();
  client = createClient({ store: memoryStore(), baseUrl: server.url, autoStart: false });
  await client.flush();
  let error: unknown;
  try {
    renderToString(createElement(Summary));
  } catch (e) {
    error = e;
  }
  expect(isLandedError(error)).toBe(true);
  expect((error as LandedError).code).toBe('NO_CLIENT');
  expect((error as LandedError).message).toMatch(/LandedProvider/);

  expect(renderToString(createElement(Summary, { client }))).toBe('<p>All writes landed</p>');
  expect(
    renderToString(createElement(LandedProvider, { client }, createElement(Summary), createElement(Entry))),
  ).toBe('<p>All writes landed</p><p>none</p>');
});
