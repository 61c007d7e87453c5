/**
 * Every rule of the protocol, through each adapter, on each store, against real loopback servers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type AdapterKind, rawRequest, send, startApp, type TestApp } from './support/app.ts';
import type { StoreKind } from './support/business.ts';

const ADAPTERS: AdapterKind[] = ['node-http', 'express', 'fastify', 'hono'];
const STORES: StoreKind[] = ['sqlite', 'postgres', 'memory'];

const matrix = ADAPTERS.flatMap((adapter) => STORES.map((store) => [adapter, store] as const));

describe.each(matrix)('%s on %s', (adapter, storeKind) => {
  let app: TestApp | undefined;
  const start = async (options: Parameters<typeof startApp>[2] = {}) => {
    app = await startApp(adapter, storeKind, options);
    return app;
  };
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('runs a first request once, echoes the key and publishes the retention', async () => {
    const a = await start();
    const r = await send(`${a.url}/orders`, { key: 'k-first', body: { item: 'pen' } });
    expect(r.status).toBe(201);
    expect(r.json()).toMatchObject({ item: 'pen', scope: 'anonymous' });
    expect(r.headers.get('idempotency-key')).toBe('"k-first"');
    expect(r.headers.get('idempotency-retention')).toBe('86400');
    expect(r.headers.get('idempotent-replayed')).toBeNull();
    expect(await a.business.count('k-first')).toBe(1);
  });

  it('replays a completed request with its status, headers and body, without running the handler', async () => {
    const a = await start();
    const first = await send(`${a.url}/orders`, { key: 'k-replay', body: { item: 'pen' } });
    const again = await send(`${a.url}/orders`, { keyHeader: 'k-replay', body: { item: 'pen' } });
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('idempotency-key')).toBe('"k-replay"');
    expect(a.runs).toBe(1);
    expect(await a.business.count('k-replay')).toBe(1);
  });

  it('treats a body with its keys in another order as the same request', async () => {
    const a = await start();
    await send(`${a.url}/orders`, { key: 'k-order', rawBody: '{"item":"pen","note":{"a":1,"b":2}}' });
    const again = await send(`${a.url}/orders`, {
      key: 'k-order',
      rawBody: '{"note":{"b":2,"a":1},"item":"pen"}',
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 422 to a key reused with another body or path, and keeps the first outcome', async () => {
    const a = await start();
    await send(`${a.url}/orders`, { key: 'k-reuse', body: { item: 'pen' } });
    for (const [path, body] of [
      ['/orders', { item: 'ink' }],
      ['/refunds', { item: 'pen' }],
    ] as const) {
      const r = await send(`${a.url}${path}`, { key: 'k-reuse', body });
      expect(r.status).toBe(422);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.json()).toMatchObject({ status: 422, code: 'idempotency-key-reused' });
      expect(r.headers.get('idempotency-key')).toBe('"k-reuse"');
    }
    expect(await a.business.count()).toBe(1);
    const replay = await send(`${a.url}/orders`, { key: 'k-reuse', body: { item: 'pen' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses a write without a key with 400 problem+json, and runs GETs without one', async () => {
    const a = await start();
    const r = await send(`${a.url}/orders`, { body: { item: 'pen' } });
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({
      type: expect.any(String),
      title: expect.any(String),
      status: 400,
      code: 'idempotency-key-missing',
    });
    expect(r.json().detail).toMatch(/Idempotency-Key/);
    expect(r.headers.get('idempotency-retention')).toBe('86400');
    expect(await a.business.count()).toBe(0);
  });

  it('refuses malformed keys with 400 and applies nothing', async () => {
    const a = await start();
    for (const keyHeader of ['x'.repeat(256), 'a\tb', 'a b', '"unterminated', '""', '"a"b"', 'caf\u00e9']) {
      const r = await send(`${a.url}/orders`, { keyHeader, body: { item: 'pen' } }).catch(() => undefined);
      if (!r) continue; // fetch itself refused the header value
      expect(r.status, keyHeader).toBe(400);
      expect(r.json().code, keyHeader).toBe('idempotency-key-malformed');
    }
    // A control character cannot go through fetch: write the request by hand.
    const raw = await rawRequest(
      a.url,
      'POST /orders HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0001b\r\nContent-Type: application/json\r\nContent-Length: 14\r\nConnection: close\r\n\r\n{"item":"pen"}',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    const ok = await send(`${a.url}/orders`, { keyHeader: 'y'.repeat(255), body: { item: 'pen' } });
    expect(ok.status).toBe(201);
    expect(await a.business.count()).toBe(1);
  });

  it('stores nothing when the handler throws, and runs the next attempt', async () => {
    const a = await start();
    const failed = await send(`${a.url}/orders`, { key: 'k-throw', body: { item: 'pen', mode: 'throw' } });
    expect(failed.status).toBe(500);
    // node:http answers problem+json itself; a framework's own error handler answers there (passed through).
    if (adapter === 'node-http') expect(failed.json().code).toBe('handler-failed');
    expect(failed.headers.get('idempotency-key')).toBe('"k-throw"');
    expect(await a.business.count()).toBe(0);
    const lookup = await send(`${a.url}/idempotency/k-throw`, { method: 'GET' });
    expect(lookup.status).toBe(404);
  });

  it('rolls back a 5xx answer (its insert too) and runs the next attempt', async () => {
    const a = await start();
    const r = await send(`${a.url}/orders`, { key: 'k-503', body: { item: 'pen', mode: '503' } });
    expect(r.status).toBe(503);
    expect(await a.business.count()).toBe(0);
    // Same key, same body: runs again (still 503), never replayed.
    const again = await send(`${a.url}/orders`, { key: 'k-503', body: { item: 'pen', mode: '503' } });
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(a.runs).toBe(2);
  });

  it('stores and replays a 4xx answer', async () => {
    const a = await start();
    const r = await send(`${a.url}/orders`, { key: 'k-400', body: { mode: '400' } });
    expect(r.status).toBe(400);
    const again = await send(`${a.url}/orders`, { key: 'k-400', body: { mode: '400' } });
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(r.text);
    expect(a.runs).toBe(1);
  });

  it('answers 409 with Retry-After while the same key is in progress, then replays', async () => {
    const a = await start();
    const first = send(`${a.url}/orders`, { key: 'k-busy', body: { item: 'pen', mode: 'gate' } });
    await a.atGate;
    const busy = await send(`${a.url}/orders`, { key: 'k-busy', body: { item: 'pen', mode: 'gate' } });
    expect(busy.status).toBe(409);
    expect(busy.json().code).toBe('idempotency-key-in-progress');
    expect(busy.headers.get('retry-after')).toBe('1');
    const lookup = await send(`${a.url}/idempotency/k-busy`, { method: 'GET' });
    expect(lookup.status).toBe(409);
    a.openGate();
    expect((await first).status).toBe(201);
    const replay = await send(`${a.url}/orders`, { key: 'k-busy', body: { item: 'pen', mode: 'gate' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await a.business.count()).toBe(1);
  });

  it('takes over a lock left by a dead request once it is older than lockTimeout', async () => {
    const a = await start({ lockTimeoutMs: 5000 });
    const { fingerprint } = await import('../src/index.ts');
    // A process that claimed the key and died mid-handler: its record stays `started`.
    await a.business.plantStarted(
      'anonymous',
      'k-dead',
      await fingerprint('POST', '/orders', { item: 'pen' }),
      a.clock.now,
    );
    const early = await send(`${a.url}/orders`, { key: 'k-dead', body: { item: 'pen' } });
    expect(early.status).toBe(409);
    a.clock.advance(5001);
    const late = await send(`${a.url}/orders`, { key: 'k-dead', body: { item: 'pen' } });
    expect(late.status).toBe(201);
    expect(await a.business.count('k-dead')).toBe(1);
  });

  it('a request still alive past lockTimeout and the attempt that takes it over: one effect, one 201', async () => {
    const a = await start({ lockTimeoutMs: 1000 });
    const first = send(`${a.url}/orders`, { key: 'k-slowpoke', body: { item: 'pen', mode: 'gate' } });
    await a.atGate;
    const held = (await a.business.store.get('anonymous', 'k-slowpoke'))?.lockToken;
    a.clock.advance(1001);
    const second = send(`${a.url}/orders`, { key: 'k-slowpoke', body: { item: 'pen', mode: 'gate' } });
    let answered = false;
    void second.then(() => {
      answered = true;
    });
    // The first may finish only once the second has been refused or has taken the lock over.
    await expect
      .poll(
        async () => answered || (await a.business.store.get('anonymous', 'k-slowpoke'))?.lockToken !== held,
        { timeout: 30_000, interval: 5 },
      )
      .toBe(true);
    a.openGate();
    const statuses = (await Promise.all([first, second])).map((r) => r.status);
    // SQLite knows the first is alive (same process, its transaction is open): the second gets 409.
    // Elsewhere the takeover wins and the first, finding its lock gone, rolls back with 409.
    expect(statuses).toEqual(storeKind === 'sqlite' ? [201, 409] : [409, 201]);
    expect(await a.business.count('k-slowpoke')).toBe(1);
    const replay = await send(`${a.url}/orders`, { key: 'k-slowpoke', body: { item: 'pen', mode: 'gate' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers lookups: 404 never seen, 200 with the stored outcome, only in the caller scope', async () => {
    const a = await start();
    const unknown = await send(`${a.url}/idempotency/k-look`, { method: 'GET', principal: 'alice' });
    expect(unknown.status).toBe(404);
    expect(unknown.json().code).toBe('idempotency-key-unknown');
    expect(unknown.headers.get('idempotency-key')).toBe('"k-look"');
    const done = await send(`${a.url}/orders`, { key: 'k-look', body: { item: 'pen' }, principal: 'alice' });
    const found = await send(`${a.url}/idempotency/k-look`, { method: 'GET', principal: 'alice' });
    expect(found.status).toBe(200);
    expect(found.json()).toMatchObject({ key: 'k-look', status: 201, body: done.json(), replayed: true });
    expect(typeof found.json().createdAt).toBe('string');
    const other = await send(`${a.url}/idempotency/k-look`, { method: 'GET', principal: 'bob' });
    expect(other.status).toBe(404);
    const encoded = await send(`${a.url}/orders`, { key: 'a/b?c', body: { item: 'x' } });
    expect(encoded.status).toBe(201);
    expect(
      (await send(`${a.url}/idempotency/${encodeURIComponent('a/b?c')}`, { method: 'GET' })).status,
    ).toBe(200);
  });

  it('keeps scopes apart: the same key from another principal runs fresh and never sees the first response', async () => {
    const a = await start();
    const alice = await send(`${a.url}/orders`, { key: 'shared', body: { item: 'pen' }, principal: 'alice' });
    const bob = await send(`${a.url}/orders`, { key: 'shared', body: { item: 'ink' }, principal: 'bob' });
    expect(bob.status).toBe(201);
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect(bob.json()).toMatchObject({ item: 'ink', scope: 'bob' });
    expect(bob.text).not.toBe(alice.text);
    expect(await a.business.count('shared')).toBe(2);
  });

  it('replays only the status after retention (tombstone), never runs again, and forgets after the tombstone', async () => {
    const a = await start({ retentionSec: 60, tombstoneSec: 600 });
    await send(`${a.url}/orders`, { key: 'k-old', body: { item: 'pen' } });
    a.clock.advance(61_000);
    await a.core.reap();
    const late = await send(`${a.url}/orders`, { key: 'k-old', body: { item: 'pen' } });
    expect(late.status).toBe(201);
    expect(late.headers.get('idempotent-replayed')).toBe('true');
    expect(late.headers.get('landed-response-expired')).toBe('true');
    expect(late.text).toBe('');
    const reused = await send(`${a.url}/orders`, { key: 'k-old', body: { item: 'ink' } });
    expect(reused.status).toBe(422);
    const lookup = await send(`${a.url}/idempotency/k-old`, { method: 'GET' });
    expect(lookup.json()).toMatchObject({ status: 201, body: null, expired: true });
    expect(await a.business.count('k-old')).toBe(1);
    a.clock.advance(600_000);
    const forgotten = await send(`${a.url}/orders`, { key: 'k-old', body: { item: 'pen' } });
    expect(forgotten.status).toBe(201);
    expect(forgotten.headers.get('idempotent-replayed')).toBeNull();
    expect(await a.business.count('k-old')).toBe(2);
  });

  it('refuses non-JSON bodies and bodies over the limit, recording nothing', async () => {
    const a = await start({ maxBodyBytes: 1024 });
    const notJson = await send(`${a.url}/orders`, { key: 'k-bad', rawBody: 'item=pen' });
    expect(notJson.status).toBe(400);
    expect(notJson.json().code).toBe('body-not-json');
    const big = await send(`${a.url}/orders`, { key: 'k-bad', body: { item: 'x'.repeat(4096) } });
    expect(big.status).toBe(413);
    expect(big.json().code).toBe('body-too-large');
    expect(await a.business.count()).toBe(0);
    const ok = await send(`${a.url}/orders`, { key: 'k-bad', body: { item: 'pen' } });
    expect(ok.status).toBe(201);
  });

  it('200 concurrent requests with one key: one effect, one stored response, the rest 409 or the replay', async () => {
    const a = await start();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => send(`${a.url}/orders`, { key: 'k-storm', body: { item: 'pen' } })),
    );
    const ok = results.filter((r) => r.status === 201);
    const busy = results.filter((r) => r.status === 409);
    expect(ok.length + busy.length).toBe(200);
    expect(ok.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(new Set(ok.map((r) => r.text)).size).toBe(1);
    expect(await a.business.count('k-storm')).toBe(1);
    expect(a.runs).toBe(1);
  });

  describe('fault hooks', () => {
    it('500-before-commit applies nothing; the retry runs', async () => {
      const a = await start({ faults: { enabled: true } });
      const r = await send(`${a.url}/orders`, {
        key: 'f1',
        body: { item: 'pen' },
        headers: { 'landed-fault': '500-before-commit' },
      });
      expect(r.status).toBe(500);
      expect(r.json().code).toBe('fault-injected');
      expect(await a.business.count()).toBe(0);
      const retry = await send(`${a.url}/orders`, { key: 'f1', body: { item: 'pen' } });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(await a.business.count()).toBe(1);
    });

    it('500-after-commit applies once; the retry gets the real response replayed', async () => {
      const a = await start({ faults: { enabled: true } });
      a.core.faults.next('500-after-commit');
      const r = await send(`${a.url}/orders`, { key: 'f2', body: { item: 'pen' } });
      expect(r.status).toBe(500);
      expect(await a.business.count()).toBe(1);
      const retry = await send(`${a.url}/orders`, { key: 'f2', body: { item: 'pen' } });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await a.business.count()).toBe(1);
    });

    it('exit-after-commit commits, then exits before answering', async () => {
      const exits: number[] = [];
      const a = await start({ faults: { enabled: true, exit: (code) => void exits.push(code) } });
      const r = await send(`${a.url}/orders`, {
        key: 'f3',
        body: { item: 'pen' },
        headers: { 'landed-fault': 'exit-after-commit' },
      }).catch((error: unknown) => error);
      expect(r).toBeInstanceOf(Error);
      expect(exits).toEqual([137]);
      expect(await a.business.count()).toBe(1);
      const retry = await send(`${a.url}/orders`, { key: 'f3', body: { item: 'pen' } });
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
    });

    it('slow:<ms> holds the key in progress until its wait is over', async () => {
      // The wait is the test's to end: the key is looked at while it is certainly still held, however
      // long the machine takes to send the next requests.
      const waits: number[] = [];
      let sleeping!: () => void;
      const asleep = new Promise<void>((resolve) => {
        sleeping = resolve;
      });
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const a = await start({
        faults: {
          enabled: true,
          sleep: (ms) => {
            waits.push(ms);
            sleeping();
            return woken;
          },
        },
      });
      const slow = send(`${a.url}/orders`, {
        key: 'f4',
        body: { item: 'pen' },
        headers: { 'landed-fault': 'slow:400' },
      });
      await asleep;
      expect(waits).toEqual([400]);
      expect((await send(`${a.url}/idempotency/f4`, { method: 'GET' })).status).toBe(409);
      const busy = await send(`${a.url}/orders`, { key: 'f4', body: { item: 'pen' } });
      expect(busy.status).toBe(409);
      expect(a.runs).toBe(0);
      wake();
      expect((await slow).status).toBe(201);
      expect(a.runs).toBe(1);
      const replay = await send(`${a.url}/orders`, { key: 'f4', body: { item: 'pen' } });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    });

    it('ignores the header when the hooks are off', async () => {
      const a = await start();
      const r = await send(`${a.url}/orders`, {
        key: 'f5',
        body: { item: 'pen' },
        headers: { 'landed-fault': '500-before-commit' },
      });
      expect(r.status).toBe(201);
      expect(() => a.core.faults.next('500-before-commit')).toThrow(/Fault hooks are off/);
    });
  });
});
