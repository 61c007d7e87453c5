// "Accepts first": a burst of back-to-back writes is taken first and sent when it ends. Virtual time
// only (SimClock): a timer turn passes when the test advances the clock, never on its own.
import { type Client, createClient, memoryStore, type OutboxStore } from '@landed/client';
import { afterEach, describe, expect, test } from 'vitest';
import { BURST_MAX_ENTRIES } from '../src/core/burst.ts';
import { SimClock } from './sim/sim-clock.ts';
import { sharedLock } from './support/shared-lock.ts';

/** A server in the test's hands: applies each key once (then replays), echoes it; answers wait while `gated`. */
function fakeServer() {
  const applied = new Map<string, number>();
  const requests: string[] = [];
  const waiting: Array<() => void> = [];
  const server = {
    applied,
    requests,
    gated: true,
    /** Lets every request waiting for its answer have it. */
    answerAll() {
      for (const go of waiting.splice(0)) go();
    },
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const raw = new Headers(init?.headers ?? request.headers).get('idempotency-key') ?? '';
      requests.push(raw);
      if (server.gated) await new Promise<void>((resolve) => waiting.push(resolve));
      const replayed = applied.has(raw);
      if (!replayed) applied.set(raw, 1);
      return new Response('{"ok":true}', {
        status: 201,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': raw,
          ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
        },
      });
    }) as typeof fetch,
  };
  return server;
}

/** Lets the promise chains run out (the fake server and store answer without any real I/O). */
async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

let clock: SimClock;
let server: ReturnType<typeof fakeServer>;
const clients: Client[] = [];
afterEach(async () => {
  server?.answerAll();
  for (const c of clients.splice(0)) await c.close();
});

function open(extra: Partial<Parameters<typeof createClient>[0]> = {}, store: OutboxStore = memoryStore()) {
  const client = createClient({
    store,
    baseUrl: 'http://app.test',
    fetch: server.fetch,
    clock: clock.view(() => true),
    // Every held write may go at once when the burst ends (the adaptive limit would start at 4).
    concurrencyControl: 'fixed',
    // `createBrowserClient()`'s default; `createClient()`'s is 0.
    burstHoldMs: 1_000,
    ...extra,
  } as Parameters<typeof createClient>[0]);
  clients.push(client);
  return client;
}

/** Writes `n` entries, each awaited before the next, with no timer turn between them. */
async function burst(client: Client, n: number, lane = (i: number) => `lane-${i}`) {
  const handles = [];
  for (let i = 0; i < n; i++) handles.push(await client.post('/t', { i }, { lane: lane(i) }));
  return handles;
}

describe('accepts first', () => {
  test('a burst of writes is held while it lasts and sent when a timer turn passes without a write', async () => {
    clock = new SimClock();
    server = fakeServer();
    const client = open();
    const [first, ...rest] = await burst(client, 6);
    await settle();
    // The first write came in a quiet moment: sent at once. The others came back to back with it.
    expect(server.requests).toHaveLength(1);
    expect(client.get(first?.id ?? '')?.state).toBe('sending');
    expect(rest.map((h) => client.get(h.id)?.state)).toEqual(Array(5).fill('queued'));
    clock.advance(0);
    await settle();
    expect(server.requests).toHaveLength(6);
    server.answerAll();
    await settle();
    expect(client.list().map((e) => e.state)).toEqual(Array(6).fill('confirmed'));
    expect([...server.applied.values()]).toEqual(Array(6).fill(1));
  });

  test('a write in a quiet moment goes out at once, in one commit', async () => {
    clock = new SimClock();
    server = fakeServer();
    server.gated = false;
    const client = open();
    const a = await client.post('/t', { n: 1 }, { lane: 'a' });
    await a.outcome;
    // Right after the previous one was confirmed, nothing on the wire: not a burst.
    const b = await client.post('/t', { n: 2 }, { lane: 'b' });
    expect(client.get(b.id)?.state).toBe('sending');
    await b.outcome;
    clock.advance(0);
    // After a timer turn, with a request on the wire elsewhere: still a quiet write.
    server.gated = true;
    const c = await client.post('/t', { n: 3 }, { lane: 'c' });
    clock.advance(0);
    const d = await client.post('/t', { n: 4 }, { lane: 'd' });
    for (const h of [c, d]) expect(client.get(h.id)?.state).toBe('sending');
    const log = await client.log(d.id);
    expect(log.map((r) => (r.type === 'transition' ? r.to : r.type))).toEqual(['queued', 'sending']);
    await settle();
    expect(server.requests).toHaveLength(4);
  });

  test('writes in progress at once make a burst too', async () => {
    clock = new SimClock();
    server = fakeServer();
    const client = open();
    const handles = await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.post('/t', { i }, { lane: `l${i}` })),
    );
    await settle();
    expect(server.requests).toHaveLength(1);
    expect(handles.filter((h) => client.get(h.id)?.state === 'queued')).toHaveLength(4);
    clock.advance(0);
    await settle();
    expect(server.requests).toHaveLength(5);
  });

  test('a continuous writer is bounded: sending starts burstHoldMs after the burst began', async () => {
    clock = new SimClock();
    server = fakeServer();
    const client = open({ burstHoldMs: 100 });
    await client.post('/t', { i: 0 }, { lane: 'l0' });
    // Each write takes 10 ms of the clock and no timer turn passes between them.
    for (let i = 1; i <= 11; i++) {
      clock.now += 10;
      await client.post('/t', { i }, { lane: `l${i}` });
      await settle();
      // The burst began with write 1; write 11 ends 100 ms later, and the held writes go.
      expect(server.requests).toHaveLength(i < 11 ? 1 : 12);
    }
    // The next back-to-back writes begin a new burst: held again until its own bound or end.
    await client.post('/t', { i: 12 }, { lane: 'l12' });
    await settle();
    expect(server.requests).toHaveLength(12);
    clock.advance(0);
    await settle();
    expect(server.requests).toHaveLength(13);
  });

  test(`a clock that never moves still sends after ${BURST_MAX_ENTRIES} writes`, async () => {
    clock = new SimClock();
    server = fakeServer();
    const client = open();
    await burst(client, BURST_MAX_ENTRIES, (i) => `l${i % 50}`);
    await settle();
    expect(server.requests).toHaveLength(1);
    await client.post('/t', {}, { lane: 'last' });
    await settle();
    expect(server.requests.length).toBeGreaterThan(1);
  });

  test.each([0, undefined])('burstHoldMs %s sends every write as soon as it is accepted', async (hold) => {
    clock = new SimClock();
    server = fakeServer();
    // An explicit undefined is createClient()'s default (0), not open()'s 1 s.
    const client = open({ burstHoldMs: hold } as Parameters<typeof open>[0]);
    const handles = await burst(client, 5);
    await settle();
    expect(server.requests).toHaveLength(5);
    for (const h of handles) expect(client.get(h.id)?.state).toBe('sending');
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '5'])('burstHoldMs %s is refused', (value) => {
    expect(() =>
      createClient({ store: memoryStore(), burstHoldMs: value as number, autoStart: false }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });

  test('flush() sends a held burst now', async () => {
    clock = new SimClock();
    server = fakeServer();
    server.gated = false;
    const client = open();
    server.gated = true;
    await burst(client, 4);
    server.gated = false;
    server.answerAll();
    await client.flush();
    expect(client.list().map((e) => e.state)).toEqual(Array(4).fill('confirmed'));
  });
});

describe('a held burst loses nothing', () => {
  test('closed mid-burst: the next instance on the store sends every write once', async () => {
    clock = new SimClock();
    server = fakeServer();
    const store = memoryStore();
    const first = open({}, store);
    const handles = await burst(first, 5);
    await first.close();
    server.gated = false;
    server.answerAll();
    const second = open({}, store);
    await second.drain({ timeoutMs: 10_000 });
    for (const h of handles) expect(second.get(h.id)?.state).toBe('confirmed');
    for (const h of handles) expect(server.applied.get(`"${h.key}"`)).toBe(1);
  });

  test('a logout mid-burst parks the held writes; the sign-in sends each once', async () => {
    clock = new SimClock();
    server = fakeServer();
    const client = open({ principal: 'ada' });
    const handles = await burst(client, 5);
    await client.logout('park');
    // The burst ends with nobody signed in: nothing more is sent.
    clock.advance(0);
    await settle();
    expect(server.requests).toHaveLength(1);
    expect(handles.map((h) => client.get(h.id)?.parked)).toEqual(Array(5).fill(true));
    server.gated = false;
    server.answerAll();
    await client.setPrincipal('ada');
    await client.drain({ timeoutMs: 10_000 });
    for (const h of handles) expect(client.get(h.id)?.state).toBe('confirmed');
    for (const h of handles) expect(server.applied.get(`"${h.key}"`)).toBe(1);
  });

  test('leadership moves mid-burst: the new leader sends every held write once', async () => {
    clock = new SimClock();
    server = fakeServer();
    const store = memoryStore();
    const leadership = sharedLock();
    const a = open({ leadership }, store);
    const b = open({ leadership }, store);
    await settle();
    const handles = await burst(a, 5);
    await settle();
    expect(server.requests).toHaveLength(1);
    // The leader goes away while its burst is held; the other instance takes the lead.
    await a.close();
    server.gated = false;
    server.answerAll();
    await settle();
    clock.advance(0);
    await b.drain({ timeoutMs: 10_000 });
    for (const h of handles) expect(b.get(h.id)?.state).toBe('confirmed');
    for (const h of handles) expect(server.applied.get(`"${h.key}"`)).toBe(1);
  });
});
