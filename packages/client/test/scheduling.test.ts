// Sending slots: a lane waiting out a backoff holds none, and the adaptive limit moves with the load.
import { type Client, createClient, memoryStore } from '@landed/client';
import { afterEach, describe, expect, test } from 'vitest';
import { ConcurrencyLimit, sampleOf } from '../src/core/ConcurrencyLimit.ts';
import { type ProtocolServer, startProtocolServer } from './support/protocol-server.ts';

let server: ProtocolServer | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

/** Time that never moves: a backoff never ends, so whatever is attempted happened inside one period. */
const frozen = {
  now: () => 1_000_000,
  setTimeout: () => 0,
  clearTimeout: () => {},
};

describe('sending slots', () => {
  test.each(['fixed', 'adaptive'] as const)(
    '10 lanes on 4 slots against a server answering 409: every lane is attempted within one backoff period (%s)',
    async (concurrencyControl) => {
      server = await startProtocolServer();
      server.script = () => ({ kind: 'reply', status: 409 });
      client = createClient({
        store: memoryStore(),
        baseUrl: server.url,
        clock: frozen,
        concurrency: 4,
        concurrencyControl,
        backoffBaseMs: 1_000,
        autoStart: false,
      });
      const handles = [];
      for (let lane = 0; lane < 10; lane++)
        handles.push(await client.post('/t', { lane }, { lane: `l${lane}` }));
      await client.flush();
      const attemptsPerKey = new Map<string, number>();
      for (const request of server.requests)
        attemptsPerKey.set(request.key ?? '', (attemptsPerKey.get(request.key ?? '') ?? 0) + 1);
      // Each lane had its first attempt; none a second, since no backoff ended.
      expect([...attemptsPerKey.keys()].sort()).toEqual(handles.map((h) => h.key).sort());
      expect([...attemptsPerKey.values()]).toEqual(Array(10).fill(1));
      expect(client.list().map((e) => e.lastError?.code)).toEqual(Array(10).fill('IN_PROGRESS'));
    },
  );

  test('no more attempts are on the wire than the limit allows', async () => {
    server = await startProtocolServer();
    const held: Array<() => void> = [];
    let onWire = 0;
    let most = 0;
    const ownFetch: typeof fetch = async (input, init) => {
      onWire++;
      most = Math.max(most, onWire);
      // Each request waits until the test lets one go, so the client's limit alone decides how many wait.
      await new Promise<void>((resolve) => held.push(resolve));
      try {
        return await fetch(input, init);
      } finally {
        onWire--;
      }
    };
    client = createClient({
      store: memoryStore(),
      baseUrl: server.url,
      fetch: ownFetch,
      // No attempt timeout can fire while the test holds requests back.
      clock: frozen,
      concurrency: 3,
      concurrencyControl: 'fixed',
      autoStart: false,
    });
    const handles = [];
    for (let lane = 0; lane < 8; lane++)
      handles.push(await client.post('/t', { lane }, { lane: `l${lane}` }));
    void client.flush();
    let released = 0;
    while (released < 8) {
      await expect.poll(() => held.length, { timeout: 20_000 }).toBeGreaterThan(0);
      held.shift()?.();
      released++;
    }
    await Promise.all(handles.map((h) => h.outcome));
    expect(most).toBe(3);
    expect(server.applied).toHaveLength(8);
  });
});

describe('the adaptive limit (AIMD)', () => {
  test('starts at 4, grows by one per answer while the slots are in use, up to the maximum', async () => {
    const limit = new ConcurrencyLimit(6, true);
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 4; i++) await limit.acquire();
    for (let round = 0; round < 5; round++) {
      limit.release('ok');
      await limit.acquire();
    }
    expect(limit.limit).toBe(6);
  });

  test('an idle client does not grow it: answers with the slots mostly free say nothing about capacity', async () => {
    const limit = new ConcurrencyLimit(32, true);
    for (let i = 0; i < 10; i++) {
      await limit.acquire();
      limit.release('ok');
    }
    expect(limit.limit).toBe(4);
  });

  test('shrinks by a tenth on overload, never below 1; 409s and resets leave it alone', async () => {
    const limit = new ConcurrencyLimit(32, true, 20);
    await limit.acquire();
    limit.release(sampleOf('TIMEOUT'));
    expect(limit.limit).toBe(18);
    await limit.acquire();
    limit.release(sampleOf('IN_PROGRESS'));
    await limit.acquire();
    limit.release(sampleOf('NETWORK'));
    expect(limit.limit).toBe(18);
    for (let i = 0; i < 100; i++) {
      await limit.acquire();
      limit.release(sampleOf('HTTP_503'));
    }
    expect(limit.limit).toBe(1);
    expect(['HTTP_429', 'HTTP_503', 'HTTP_504', 'TIMEOUT'].map(sampleOf)).toEqual(Array(4).fill('overload'));
  });

  test('waiters are let in first come, first served as slots free', async () => {
    const limit = new ConcurrencyLimit(1, false);
    await limit.acquire();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => limit.acquire().then(() => order.push(n)));
    for (let i = 0; i < 3; i++) {
      limit.release('ok');
      await waiting[i];
    }
    expect(order).toEqual([1, 2, 3]);
    expect(limit.inFlight).toBe(1);
  });
});
