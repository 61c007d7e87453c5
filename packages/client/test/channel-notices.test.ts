// Notices between instances of one outbox (tabs, in a browser): a tab that opens and does not send
// names every write waiting in the store to the one that sends, so a write whose tab died before its
// notice is not left waiting. The sending instance reads from the store only the writes it has not
// heard of: with a backlog of queued writes, a tab opening costs it no read per write it already holds.
// Virtual time and an in-process channel: nothing here waits on a real timer.
import {
  type ChannelMessage,
  type Client,
  createClient,
  type Leadership,
  memoryStore,
  type OnlineSignal,
  type OutboxChannel,
  type OutboxStore,
} from '@landed/client';
import { afterEach, expect, test } from 'vitest';
import { SimClock } from './sim/sim-clock.ts';
import { sharedLock } from './support/shared-lock.ts';

/** A channel per instance on one bus: a message reaches every other instance, after the poster's turn. */
function bus() {
  const listeners = new Map<number, Set<(message: ChannelMessage) => void>>();
  let next = 0;
  return () => {
    const me = next++;
    const mine = new Set<(message: ChannelMessage) => void>();
    listeners.set(me, mine);
    const channel: OutboxChannel = {
      post(message) {
        for (const [who, set] of listeners)
          if (who !== me) for (const listener of set) queueMicrotask(() => listener(message));
      },
      subscribe(listener) {
        mine.add(listener);
        return () => mine.delete(listener);
      },
      close() {
        listeners.delete(me);
      },
    };
    return channel;
  };
}

/** The same store, counting this instance's reads of one entry. */
function counted(store: OutboxStore): { store: OutboxStore; reads: string[] } {
  const reads: string[] = [];
  const view = new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'getEntry')
        return (id: string) => {
          reads.push(id);
          return target.getEntry(id);
        };
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: view, reads };
}

const offline: OnlineSignal = { isOnline: () => false, subscribe: () => () => {} };
const noFetch = (async () => {
  throw new Error('offline: nothing is sent in this test');
}) as typeof fetch;

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0).reverse()) await c.close();
});

test('a tab that opens makes the sending one read only the queued writes it had not heard of', async () => {
  const clock = new SimClock();
  const base = memoryStore();
  const lock = sharedLock();
  const channelOf = bus();
  const open = (store: OutboxStore, shared: { leadership?: Leadership; channel?: OutboxChannel }) => {
    const client = createClient({
      store,
      baseUrl: 'http://app.test',
      fetch: noFetch,
      clock: clock.view(() => true),
      online: offline,
      ...shared,
    });
    clients.push(client);
    return client;
  };

  const sender = counted(base);
  const leader = open(sender.store, { leadership: lock, channel: channelOf() });
  await settle();
  expect(leader.summary().leader).toBe(true);
  const known = [];
  for (let i = 0; i < 20; i++) known.push(await leader.post('/t', { i }));
  // A write committed by an instance whose notice never left (no channel): the sender has not heard.
  const silent = open(base, {});
  const unheard = await silent.post('/t', { unheard: true });
  await silent.close();
  clients.splice(clients.indexOf(silent), 1);
  await settle();
  expect(leader.get(unheard.id)).toBeUndefined();
  sender.reads.length = 0;

  // A tab opens: it waits for the lock, loads the store and names every queued write.
  open(base, { leadership: lock, channel: channelOf() });
  await settle();

  // The sender adopted the one it had not heard of, reading only that one from the store.
  expect(leader.get(unheard.id)?.state).toBe('queued');
  expect(sender.reads).toEqual([unheard.id]);
  expect(known.map((h) => leader.get(h.id)?.state)).toEqual(Array(20).fill('queued'));
});
