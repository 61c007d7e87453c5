// The client's own behaviour: bad input, lanes, principals, events, summary, replay/discard/retryNow.

import { type Client, createClient, isLandedError, type LandedError, memoryStore } from '@landed/client';
import { afterEach, describe, expect, test } from 'vitest';
import { type ProtocolServer, startProtocolServer } from './support/protocol-server.ts';
import { withCommit } from './support/stores.ts';

let server: ProtocolServer;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
});

async function expectCode(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isLandedError(error), `expected a LandedError ${code}, got ${String(error)}`).toBe(true);
  expect((error as LandedError).code).toBe(code);
  return error as LandedError;
}

describe('bad input gets a stable code and loses nothing else', () => {
  test('malformed options', () => {
    const bad = [
      {},
      { store: {} },
      { store: memoryStore(), baseUrl: 'not a url' },
      { store: memoryStore(), baseUrl: 'ftp://x' },
      { store: memoryStore(), timeoutMs: -1 },
      { store: memoryStore(), concurrency: 0 },
      { store: memoryStore(), keyFormat: 'weird' },
      { store: memoryStore(), lookupPath: 'no-slash' },
    ];
    for (const options of bad) {
      let error: unknown;
      try {
        createClient(options as never);
      } catch (e) {
        error = e;
      }
      expect((error as LandedError)?.code, JSON.stringify(options)).toBe('INVALID_OPTIONS');
    }
  });

  test('invalid URL, method, body; earlier writes untouched', async () => {
    server = await startProtocolServer();
    const store = memoryStore();
    client = createClient({ store, baseUrl: server.url, autoStart: false });
    const good = await client.post('/tickets', { ok: 1 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expectCode(client.write({ method: 'GET' as never, url: '/x' }), 'INVALID_METHOD');
    await expectCode(client.write({ method: 'POST', url: 'http://[bad' }), 'INVALID_URL');
    await expectCode(client.write({ method: 'POST', url: 'file:///etc/passwd' }), 'INVALID_URL');
    const e = await expectCode(client.post('/x', cyclic), 'BODY_NOT_SERIALIZABLE');
    expect(e.message).toMatch(/cannot be serialised/);
    await expectCode(client.post('/x', { n: 10n }), 'BODY_NOT_SERIALIZABLE');
    await expectCode(
      client.post('/x', () => 1),
      'BODY_NOT_SERIALIZABLE',
    );
    await expectCode(
      client.post('/x', { authorization: 'fine in a body' }, { headers: { Authorization: 'Bearer x' } }),
      'INVALID_OPTIONS',
    );
    expect((await store.load()).entries.map((e) => e.id)).toEqual([good.id]);
  });

  test('a body over maxBodyBytes is refused with BODY_TOO_LARGE', async () => {
    server = await startProtocolServer();
    client = createClient({ store: memoryStore(), baseUrl: server.url, maxBodyBytes: 100, autoStart: false });
    const error = await expectCode(client.post('/x', { text: 'é'.repeat(60) }), 'BODY_TOO_LARGE');
    expect(error.message).toMatch(/over the 100-byte limit/);
    expect(client.list()).toHaveLength(0);
  });

  test('a store that cannot write fails write() loudly and accepts nothing', async () => {
    server = await startProtocolServer();
    const inner = memoryStore();
    let fail = false;
    const store = withCommit(
      inner,
      (change) =>
        fail
          ? Promise.reject(Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' }))
          : inner.commit(change),
      'flaky',
    );
    client = createClient({ store, baseUrl: server.url });
    const first = await client.post('/a', { n: 1 });
    await first.outcome;
    fail = true;
    const error = await expectCode(client.post('/a', { n: 2 }), 'STORE_WRITE_FAILED');
    expect(error.message).toMatch(/nothing was accepted/);
    expect(client.list().map((e) => e.id)).toEqual([first.id]);
    expect(server.applied).toHaveLength(1);
  });

  test('write() after close() → CLIENT_CLOSED', async () => {
    const c = createClient({ store: memoryStore(), baseUrl: 'http://127.0.0.1:9' });
    await c.close();
    await expectCode(c.post('/x', {}), 'CLIENT_CLOSED');
  });

  test('unknown ids → ENTRY_NOT_FOUND', async () => {
    client = createClient({ store: memoryStore(), baseUrl: 'http://127.0.0.1:9', autoStart: false });
    await expectCode(client.replay('nope'), 'ENTRY_NOT_FOUND');
    await expectCode(client.discard('nope'), 'ENTRY_NOT_FOUND');
  });
});

describe('keys', () => {
  test('each entry gets its own CSPRNG UUID key, persisted before the first attempt', async () => {
    server = await startProtocolServer();
    const store = memoryStore();
    client = createClient({ store, baseUrl: server.url, autoStart: false });
    const handles = await Promise.all(Array.from({ length: 50 }, (_, i) => client!.post('/t', { i })));
    const keys = handles.map((h) => h.key);
    expect(new Set(keys).size).toBe(50);
    for (const key of keys)
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const persisted = (await store.load()).entries.map((e) => e.key).sort();
    expect(persisted).toEqual([...keys].sort());
    expect(server.requests).toHaveLength(0);
  });
});

describe('lanes', () => {
  test('entries in one lane are sent strictly in order; a failing head holds its lane only', async () => {
    server = await startProtocolServer();
    let failFirstA = true;
    server.script = (req) => {
      if (req.body.includes('"a0"') && failFirstA) {
        failFirstA = false;
        return { kind: 'reply', status: 503 };
      }
      return { kind: 'protocol' };
    };
    // An hour of backoff: lane A's head comes back only when the test says so, so lane B either goes
    // through meanwhile or the wait for it below times out, however slow the machine.
    client = createClient({
      store: memoryStore(),
      baseUrl: server.url,
      backoffBaseMs: 3_600_000,
      backoffCapMs: 3_600_000,
      concurrency: 4,
      autoStart: false,
    });
    const writes = [];
    for (let i = 0; i < 3; i++) writes.push(await client.post('/t', { id: `a${i}` }, { lane: 'A' }));
    for (let i = 0; i < 3; i++) writes.push(await client.post('/t', { id: `b${i}` }, { lane: 'B' }));
    await client.flush();
    const applied = () => server.applied.map((a) => (JSON.parse(a.body) as { id: string }).id);
    await expect.poll(applied, { timeout: 30_000 }).toEqual(['b0', 'b1', 'b2']);
    expect(client.get(writes[0]?.id as string)?.state).toBe('uncertain');
    await client.retryNow(writes[0]?.id as string);
    await Promise.all(writes.map((w) => w.outcome));
    const order = applied();
    expect(order.filter((id) => id.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
    expect(order.filter((id) => id.startsWith('b'))).toEqual(['b0', 'b1', 'b2']);
    // Lane B did not wait for A's backoff.
    expect(order.indexOf('b2')).toBeLessThan(order.indexOf('a0'));
  });
});

describe('principals', () => {
  test('user B never sends user A’s parked writes; A’s writes go when A is back', async () => {
    server = await startProtocolServer();
    server.script = () => ({ kind: 'reply', status: 503 });
    client = createClient({
      store: memoryStore(),
      baseUrl: server.url,
      principal: 'alice',
      attemptsPerFlush: 1,
      backoffBaseMs: 1,
      headers: () => ({ authorization: `Bearer ${current}` }),
    });
    let current = 'alice';
    const a = await client.post('/t', { who: 'alice' });
    await client.flush();
    await client.logout('park');
    expect(client.get(a.id)?.parked).toBe(true);
    server.script = () => ({ kind: 'protocol' });
    current = 'bob';
    await client.setPrincipal('bob');
    const b = await client.post('/t', { who: 'bob' });
    await b.outcome;
    await client.flush();
    expect(server.applied.map((x) => x.body)).toEqual(['{"who":"bob"}']);
    expect(
      server.requests
        .filter((r) => r.body.includes('alice'))
        .every((r) => r.authorization === 'Bearer alice'),
    ).toBe(true);
    current = 'alice';
    await client.setPrincipal('alice');
    expect((await a.outcome).state).toBe('confirmed');
    expect(server.applied.map((x) => x.body)).toEqual(['{"who":"bob"}', '{"who":"alice"}']);
  });

  test('logout purge deletes the principal’s unsent writes', async () => {
    const store = memoryStore();
    client = createClient({ store, baseUrl: 'http://127.0.0.1:9', principal: 'alice', autoStart: false });
    await client.post('/t', {});
    await client.logout('purge');
    expect((await store.load()).entries).toHaveLength(0);
  });
});

describe('events, summary, console actions', () => {
  test('every transition is announced and logged; summary tells people what is going on', async () => {
    server = await startProtocolServer();
    server.script = (_r, i) =>
      i === 0 ? { kind: 'reply', status: 503 } : { kind: 'reply', status: 400, body: '{}' };
    client = createClient({ store: memoryStore(), baseUrl: server.url, backoffBaseMs: 1 });
    const seen: string[] = [];
    client.on('transition', (t) => seen.push(`${t.from ?? 'new'}→${t.to}`));
    const h = await client.post('/t', {});
    await h.outcome;
    expect(seen).toEqual([
      'new→queued',
      'queued→sending',
      'sending→uncertain',
      'uncertain→sending',
      'sending→rejected',
    ]);
    const log = await client.log(h.id);
    expect(log.filter((r) => r.type === 'transition').map((r) => r.type === 'transition' && r.to)).toEqual([
      'queued',
      'sending',
      'uncertain',
      'sending',
      'rejected',
    ]);
    expect(client.summary()).toMatchObject({
      rejected: 1,
      needsAttention: 1,
      waiting: 0,
      text: '1 needs attention',
    });
  });

  test('discard refuses an entry that may have applied, removes a terminal one', async () => {
    server = await startProtocolServer();
    server.script = () => ({ kind: 'reply', status: 503 });
    client = createClient({
      store: memoryStore(),
      baseUrl: server.url,
      attemptsPerFlush: 1,
      backoffBaseMs: 60_000,
    });
    const h = await client.post('/t', {});
    await client.flush();
    expect(client.get(h.id)?.state).toBe('uncertain');
    await expectCode(client.discard(h.id), 'INVALID_STATE');
    server.script = () => ({ kind: 'protocol' });
    await client.retryNow(h.id);
    expect((await h.outcome).state).toBe('confirmed');
    await client.discard(h.id);
    expect(client.get(h.id)).toBeUndefined();
  });

  test('discard and a starting attempt never both win: refused while the attempt is being persisted, never sent once discarded', async () => {
    server = await startProtocolServer();
    // A store whose commits of a `sending` entry, and of a removal, wait for the test to let them through.
    const inner = memoryStore();
    let hold: (() => void) | undefined;
    let held: Promise<void> | undefined;
    let letRemovalThrough: (() => void) | undefined;
    const removal = new Promise<void>((resolve) => {
      letRemovalThrough = resolve;
    });
    let removalHeld = false;
    const store = withCommit(inner, async (change, options) => {
      if (change.put?.some((e) => e.state === 'sending')) {
        held = new Promise((resolve) => {
          hold = resolve;
        });
        await held;
      }
      if (change.remove) {
        removalHeld = true;
        await removal;
      }
      return inner.commit(change, options);
    });
    let online = false;
    const listeners = new Set<(value: boolean) => void>();
    const goOnline = () => {
      online = true;
      for (const listener of listeners) listener(true);
    };
    client = createClient({
      store,
      baseUrl: server.url,
      online: {
        isOnline: () => online,
        subscribe: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
    });
    // Written offline: queued, not sent.
    const first = await client.post('/t', { n: 1 });
    const second = await client.post('/t', { n: 2 }, { lane: 'other' });
    expect(client.get(first.id)?.state).toBe('queued');
    // Discarded first: the network returns while its removal is being written; it is never sent.
    const discarding = client.discard(second.id);
    await expect.poll(() => removalHeld, { timeout: 30_000 }).toBe(true);
    goOnline();
    await expect.poll(() => hold !== undefined, { timeout: 30_000 }).toBe(true);
    letRemovalThrough?.();
    await discarding;
    expect(client.get(second.id)).toBeUndefined();
    // Its handle hears of it: the outcome it waited for will never come.
    await expectCode(second.outcome, 'DISCARDED');
    // The first one's attempt is being persisted: too late to discard it.
    await expectCode(client.discard(first.id), 'INVALID_STATE');
    hold?.();
    expect((await first.outcome).state).toBe('confirmed');
    await client.flush();
    expect(server.requests.map((r) => r.body)).toEqual(['{"n":1}']);
    expect(await inner.getEntry(second.id)).toBeUndefined();
  });

  test('an app without principals can still park and purge at logout, and unpark by signing in', async () => {
    server = await startProtocolServer();
    client = createClient({
      store: memoryStore(),
      baseUrl: server.url,
      online: { isOnline: () => false, subscribe: () => () => {} },
    });
    const a = await client.post('/t', { n: 1 });
    const b = await client.post('/t', { n: 2 });
    await client.logout('park');
    expect([client.get(a.id)?.parked, client.get(b.id)?.parked]).toEqual([true, true]);
    await client.setPrincipal(undefined);
    expect([client.get(a.id)?.parked, client.get(b.id)?.parked]).toEqual([undefined, undefined]);
    await client.logout('purge');
    expect(client.list()).toEqual([]);
    await expectCode(a.outcome, 'DISCARDED');
  });

  test('discarding a write whose outcome nobody awaits raises nothing unhandled', async () => {
    server = await startProtocolServer();
    client = createClient({
      store: memoryStore(),
      baseUrl: server.url,
      online: { isOnline: () => false, subscribe: () => () => {} },
    });
    const handle = await client.post('/t', { n: 1 }); // offline: queued, not sent
    void handle.outcome; // looked at, never awaited: as an app that only wanted write() to resolve
    await client.discard(handle.id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(client.get(handle.id)).toBeUndefined();
    expect(server.requests).toEqual([]);
  });

  test('an entry purged at logout while its attempt is on the wire does not come back with the answer', async () => {
    server = await startProtocolServer();
    const store = memoryStore();
    let answer: ((response: Response) => void) | undefined;
    let sentKey = '';
    const gatedFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      sentKey = request.headers.get('idempotency-key') ?? '';
      return new Promise<Response>((resolve) => {
        answer = resolve;
      });
    }) as typeof fetch;
    client = createClient({ store, baseUrl: server.url, fetch: gatedFetch });
    await client.setPrincipal('u1');
    const handle = await client.post('/t', { n: 1 });
    await expect.poll(() => answer !== undefined, { timeout: 30_000 }).toBe(true);
    await client.logout('purge');
    expect(client.get(handle.id)).toBeUndefined();
    await expectCode(handle.outcome, 'DISCARDED');
    answer?.(
      new Response('{"ok":true}', {
        status: 201,
        headers: { 'content-type': 'application/json', 'idempotency-key': sentKey },
      }),
    );
    await client.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(client.get(handle.id)).toBeUndefined();
    expect(await store.getEntry(handle.id)).toBeUndefined();
    expect(client.list().map((e) => e.id)).not.toContain(handle.id);
  });

  test('drain() rejects with the count left when writes cannot resolve in time', async () => {
    server = await startProtocolServer();
    server.script = () => ({ kind: 'reply', status: 503 });
    client = createClient({ store: memoryStore(), baseUrl: server.url, backoffBaseMs: 5 });
    await client.post('/t', {});
    const error = await expectCode(client.drain({ timeoutMs: 200 }), 'INVALID_STATE');
    expect(error.message).toMatch(/1 write\(s\) still unresolved/);
  });
});

describe('a long-running client', () => {
  test('removes confirmed entries older than keepConfirmedMs without a restart; the store drops them too', async () => {
    server = await startProtocolServer();
    let now = 1_000_000;
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms).unref(),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    };
    const store = memoryStore();
    client = createClient({ store, baseUrl: server.url, clock, keepConfirmedMs: 5_000 });
    const first = await client.post('/t', { n: 1 });
    expect((await first.outcome).state).toBe('confirmed');
    now += 2_000; // younger than keepConfirmedMs: kept
    const second = await client.post('/t', { n: 2 });
    await second.outcome;
    await expect.poll(() => client?.list().length, { timeout: 30_000 }).toBe(2);
    now += 4_000; // the first is 6 s old, the second 4 s
    const third = await client.post('/t', { n: 3 });
    await third.outcome;
    await expect
      .poll(() => client?.list().map((e) => e.id), { timeout: 30_000 })
      .toEqual([second.id, third.id]);
    expect((await store.load()).entries.map((e) => e.id).sort()).toEqual([second.id, third.id].sort());
    expect(server.applied).toHaveLength(3);
  });
});
