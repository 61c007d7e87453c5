// One test per row of the classification table (docs/protocol.md), each against a real loopback server.

import { type Client, type ClientOptions, createClient, memoryStore, type ReportEvent } from '@landed/client';
import { afterEach, describe, expect, test } from 'vitest';
import { type Action, type ProtocolServer, startProtocolServer } from './support/protocol-server.ts';
import { withCommit } from './support/stores.ts';

let server: ProtocolServer;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
});

async function setup(script: (index: number) => Action, extra: Partial<ClientOptions> = {}) {
  server = await startProtocolServer();
  server.script = (_req, index) => script(index);
  const reports: ReportEvent[] = [];
  client = createClient({
    store: memoryStore(),
    baseUrl: server.url,
    backoffBaseMs: 5,
    backoffCapMs: 20,
    // Only the tests of hung and stalled answers want an attempt to time out, and they set their own;
    // elsewhere a loaded machine must not turn a slow loopback answer into an uncertain one.
    timeoutMs: 30_000,
    reporter: { report: (event) => void reports.push(event) },
    ...extra,
  });
  return { client, reports };
}

/**
 * The real clock, except that only the first `count` attempt timeouts (timers of `timeoutMs`) go off:
 * the attempts the server leaves hanging are cut off, and the later ones, which it answers, are never
 * cut off by a loaded machine that answered them late.
 */
function cutOffFirst(count: number, timeoutMs: number, seen: string[] = []) {
  let cut = 0;
  return {
    now: () => Date.now(),
    setTimeout: (fn: () => void, ms: number): unknown => {
      seen.push(`set ${ms}`);
      if (ms === timeoutMs && ++cut > count) return undefined;
      return setTimeout(fn, ms);
    },
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

const protocol: Action = { kind: 'protocol' };
const firstThen = (first: Action) => (index: number) => (index === 0 ? first : protocol);
const sendKeys = () => server.requests.filter((r) => r.method !== 'GET').map((r) => r.key);

describe('2xx', () => {
  test('2xx with our key echoed → confirmed, applied once', async () => {
    const { client } = await setup(() => protocol);
    const handle = await client.post('/tickets', { visitor: 7 });
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ state: 'confirmed', status: 201, replayed: false, body: { ok: true } });
    expect(server.applied).toEqual([{ key: handle.key, body: '{"visitor":7}' }]);
    expect(server.requests[0]?.rawKey).toBe(`"${handle.key}"`);
    expect(server.requests[0]?.attempt).toBe('1');
    expect(Number(server.requests[0]?.firstSent)).toBeGreaterThan(0);
  });

  test('Idempotent-Replayed: true → confirmed and marked replayed, never a second effect', async () => {
    const { client } = await setup(firstThen({ kind: 'apply-then-reset' }));
    const handle = await client.post('/tickets', { visitor: 1 });
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ state: 'confirmed', replayed: true });
    expect(server.applied).toHaveLength(1);
    expect(new Set(sendKeys())).toEqual(new Set([handle.key]));
  });

  test('a 2xx whose echoed key is not ours is not a confirmation', async () => {
    const { client } = await setup(
      firstThen({ kind: 'reply', status: 200, headers: { 'idempotency-key': '"someone-else"' }, body: '{}' }),
    );
    const handle = await client.post('/tickets', {});
    const outcome = await handle.outcome;
    expect(outcome.state).toBe('confirmed');
    expect(server.requests.length).toBe(2);
    const log = await client.log(handle.id);
    expect(log.filter((r) => r.type === 'attempt').map((r) => r.type === 'attempt' && r.errorCode)).toEqual([
      'BAD_ECHO',
      undefined,
    ]);
  });

  test('a 2xx with no echo at all (a captive portal) is not a confirmation', async () => {
    const { client } = await setup(
      firstThen({
        kind: 'reply',
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<html>login</html>',
      }),
    );
    const handle = await client.post('/tickets', {});
    expect((await handle.outcome).state).toBe('confirmed');
    expect(server.applied).toHaveLength(1);
    expect(client.get(handle.id)?.attempts).toBe(2);
  });

  test('a 2xx whose JSON body is garbage is uncertain, then settled by the retry', async () => {
    const { client } = await setup((index) =>
      index === 0 ? { kind: 'apply-then-reply', status: 201, body: '{"ok": tru' } : protocol,
    );
    const handle = await client.post('/tickets', {});
    expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });
    expect(server.applied).toHaveLength(1);
  });

  test('unquoted key format sends the bare key (Stripe style)', async () => {
    const { client } = await setup(() => protocol, { keyFormat: 'unquoted' });
    const handle = await client.post('/tickets', {});
    await handle.outcome;
    expect(server.requests[0]?.rawKey).toBe(handle.key);
  });
});

describe('4xx', () => {
  test('409 (same key in progress) → retried later with the same key, no change', async () => {
    const { client } = await setup(
      firstThen({ kind: 'reply', status: 409, headers: { 'retry-after': '0' } }),
    );
    const handle = await client.post('/tickets', {});
    expect((await handle.outcome).state).toBe('confirmed');
    expect(sendKeys()).toEqual([handle.key, handle.key]);
    expect(server.requests.map((r) => r.attempt)).toEqual(['1', '2']);
  });

  test('422 (key reused with another payload) → rejected, never retried, reported', async () => {
    const { client, reports } = await setup(() => ({
      kind: 'reply',
      status: 422,
      headers: { 'content-type': 'application/problem+json' },
      body: '{"type":"https://landed.dev/problems/idempotency-key-reused","title":"reused"}',
    }));
    const handle = await client.post('/tickets', {});
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ state: 'rejected', status: 422 });
    expect(outcome.reason).toMatch(/different payload/);
    expect(client.get(handle.id)?.lastError?.code).toBe('KEY_REUSED');
    await client.flush();
    expect(server.requests).toHaveLength(1);
    await expect.poll(() => reports.map((r) => r.kind), { timeout: 30_000 }).toEqual(['rejected']);
  });

  test('a plain validation 422 is an ordinary rejection with the status and body, not a reused key', async () => {
    const { client, reports } = await setup(() => ({
      kind: 'reply',
      status: 422,
      headers: { 'content-type': 'application/json' },
      body: '{"error":"validation failed","field":"visitor"}',
    }));
    const handle = await client.post('/tickets', {});
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({
      state: 'rejected',
      status: 422,
      body: { error: 'validation failed', field: 'visitor' },
    });
    expect(outcome.reason).not.toMatch(/reused|different payload/);
    expect(client.get(handle.id)?.lastError?.code).toBe('HTTP_422');
    expect(server.requests).toHaveLength(1);
    await expect.poll(() => reports.map((r) => r.kind), { timeout: 30_000 }).toEqual(['rejected']);
  });

  test.each([400, 403, 404, 413])('%i → rejected, reported, visible in list()', async (status) => {
    const { client, reports } = await setup(() => ({ kind: 'reply', status, body: '{"title":"no"}' }));
    const handle = await client.post('/tickets', {});
    expect(await handle.outcome).toMatchObject({ state: 'rejected', status, body: { title: 'no' } });
    expect(client.list({ state: 'rejected' }).map((e) => e.id)).toEqual([handle.id]);
    expect(server.requests).toHaveLength(1);
    await expect.poll(() => reports.length, { timeout: 30_000 }).toBe(1);
  });

  test('401 → refreshAuth is called, then the same key is retried with the new credentials', async () => {
    let token = 'old';
    let refreshes = 0;
    const { client } = await setup((index) => (index === 0 ? { kind: 'reply', status: 401 } : protocol), {
      headers: () => ({ authorization: `Bearer ${token}` }),
      refreshAuth: async () => {
        refreshes++;
        token = 'new';
      },
    });
    const handle = await client.post('/tickets', {});
    expect((await handle.outcome).state).toBe('confirmed');
    expect(refreshes).toBe(1);
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect(sendKeys()).toEqual([handle.key, handle.key]);
  });
});

describe('may or may not have applied → uncertain, same key', () => {
  test.each([408, 425, 429, 500, 502, 503])('%i → retried with the same key', async (status) => {
    const { client } = await setup(firstThen({ kind: 'reply', status }));
    const handle = await client.post('/tickets', {});
    expect((await handle.outcome).state).toBe('confirmed');
    expect(sendKeys()).toEqual([handle.key, handle.key]);
  });

  test('500 after the server applied → the retry gets the replay, one effect', async () => {
    const { client } = await setup(firstThen({ kind: 'apply-then-reply', status: 500 }));
    const handle = await client.post('/tickets', {});
    expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });
    expect(server.applied).toHaveLength(1);
  });

  test('Retry-After is honoured', async () => {
    const { client } = await setup(
      firstThen({ kind: 'reply', status: 503, headers: { 'retry-after': '1' } }),
    );
    const started = Date.now();
    const handle = await client.post('/tickets', {});
    await handle.outcome;
    // The second attempt must not come before the server asked (1 s), whatever our own backoff says.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test('connection reset before applying → uncertain → re-sent, applied once', async () => {
    const { client } = await setup(firstThen({ kind: 'reset' }));
    const handle = await client.post('/tickets', {});
    expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: false });
    expect(server.applied).toHaveLength(1);
    const attempts = (await client.log(handle.id)).filter((r) => r.type === 'attempt');
    expect(attempts.map((r) => r.type === 'attempt' && r.result)).toEqual(['info', 'ok']);
  });

  test('timeout → uncertain → re-sent with the same key', async () => {
    const { client } = await setup(firstThen({ kind: 'hang' }), {
      timeoutMs: 200,
      clock: cutOffFirst(1, 200),
    });
    const handle = await client.post('/tickets', {});
    expect((await handle.outcome).state).toBe('confirmed');
    const attempts = (await client.log(handle.id)).filter((r) => r.type === 'attempt');
    expect(attempts[0]).toMatchObject({ result: 'info', errorCode: 'TIMEOUT' });
    expect(sendKeys()).toEqual([handle.key, handle.key]);
  });

  test("with a clock of the app's own, its timers cut off a hung attempt and a stalled body alike", async () => {
    const timers: string[] = [];
    // The hung attempt and the stalled one are cut off; the third is answered in full.
    const clock = cutOffFirst(2, 250, timers);
    let n = 0;
    const { client } = await setup(
      () => (n++ === 0 ? { kind: 'hang' } : n === 2 ? { kind: 'apply-then-stall' } : { kind: 'protocol' }),
      { timeoutMs: 250, clock },
    );
    const handle = await client.post('/tickets', {});
    expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });
    const attempts = (await client.log(handle.id)).filter((r) => r.type === 'attempt');
    // A timeout that cut a body off is a timeout too, as docs/client.md says of `timeoutMs`.
    expect(attempts.map((r) => r.type === 'attempt' && r.errorCode)).toEqual([
      'TIMEOUT',
      'TIMEOUT',
      undefined,
    ]);
    expect(timers.filter((t) => t === 'set 250').length).toBeGreaterThanOrEqual(3);
    expect(server.applied).toHaveLength(1);
  });

  test("a fetch of the app's own that reads the signal from the request alone is cut off by the timeout too", async () => {
    const seen: string[] = [];
    // Ignores its second argument when handed a Request, as many wrappers do.
    const ownFetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      seen.push(request.method);
      return fetch(request);
    }) as typeof fetch;
    const { client } = await setup(firstThen({ kind: 'hang' }), {
      timeoutMs: 250,
      fetch: ownFetch,
      clock: cutOffFirst(1, 250),
    });
    const handle = await client.post('/tickets', {});
    expect((await handle.outcome).state).toBe('confirmed');
    const attempts = (await client.log(handle.id)).filter((r) => r.type === 'attempt');
    expect(attempts[0]).toMatchObject({ result: 'info', errorCode: 'TIMEOUT' });
    expect(seen).toEqual(['POST', 'POST']);
  });

  test('a server that stalls mid-body times out too (the timeout covers the body) → uncertain → replay, one effect', async () => {
    const { client } = await setup(firstThen({ kind: 'apply-then-stall' }), {
      timeoutMs: 300,
      clock: cutOffFirst(1, 300),
    });
    const handle = await client.post('/tickets', {});
    expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });
    expect(server.applied).toHaveLength(1);
    const attempts = (await client.log(handle.id)).filter((r) => r.type === 'attempt');
    // The status arrived, the rest of the body never did: the answer is cut off by our timeout, and
    // the log says so in the words of `timeoutMs` (a body cut by the network is TRUNCATED_RESPONSE).
    expect(attempts[0]).toMatchObject({ result: 'info', errorCode: 'TIMEOUT', status: 201 });
    expect(attempts[0]?.type === 'attempt' && attempts[0].durationMs).toBeGreaterThanOrEqual(250);
  });

  test('truncated body after applying → uncertain → replay, one effect', async () => {
    const { client } = await setup(firstThen({ kind: 'apply-then-truncate' }));
    const handle = await client.post('/tickets', {});
    expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });
    expect(server.applied).toHaveLength(1);
    const attempts = (await client.log(handle.id)).filter((r) => r.type === 'attempt');
    expect(attempts[0]).toMatchObject({ result: 'info', errorCode: 'TRUNCATED_RESPONSE', status: 201 });
  });

  test('server unreachable → the entry waits (queued, not uncertain) and lands when the server is back', async () => {
    server = await startProtocolServer();
    const url = server.url;
    await server.close();
    client = createClient({
      store: memoryStore(),
      baseUrl: url,
      backoffBaseMs: 5,
      backoffCapMs: 10,
      attemptsPerFlush: 2,
    });
    const handle = await client.post('/tickets', {});
    await client.flush();
    expect(client.get(handle.id)).toMatchObject({ state: 'queued', lastError: { code: 'UNREACHABLE' } });
  });
});

/**
 * A clock whose time the test moves by hand; its timers wait their real delay, so with a long backoff
 * only the test's own `flush()` calls make attempts (no retry timer races the test on a loaded machine).
 */
function steppedClock(now: () => number) {
  return {
    now,
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms).unref(),
    clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
  };
}

describe('retention window', () => {
  test('past the window the key is looked up, never blindly re-sent: found → confirmed', async () => {
    let now = 1_000_000;
    const clock = steppedClock(() => now);
    const { client } = await setup(firstThen({ kind: 'apply-then-reset' }), {
      clock,
      attemptsPerFlush: 1,
      backoffBaseMs: 10_000,
    });
    const handle = await client.post('/tickets', {});
    await client.flush();
    expect(client.get(handle.id)?.state).toBe('uncertain');
    now += 86_400_000; // a day later: past retention − margin
    await client.flush();
    expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
  });

  test('a re-send judged inside the window does not leave if the window closed before it could: looked up instead', async () => {
    let now = 1_000_000;
    const clock = steppedClock(() => now);
    // The commit that persists the re-send's `sending` state takes "a day" (a suspended laptop, a
    // stalled disk): the window closes between the decision and the request.
    const inner = memoryStore();
    let stallNextSending = false;
    const store = withCommit(inner, async (change, options) => {
      if (stallNextSending && change.put?.some((e) => e.state === 'sending')) {
        stallNextSending = false;
        now += 86_400_000;
      }
      return inner.commit(change, options);
    });
    const { client } = await setup(firstThen({ kind: 'apply-then-reset' }), {
      clock,
      store,
      attemptsPerFlush: 1,
      backoffBaseMs: 10_000,
    });
    const handle = await client.post('/tickets', {});
    await client.flush();
    expect(client.get(handle.id)?.state).toBe('uncertain');
    now += 60_000; // well inside the window: the next attempt is a re-send
    stallNextSending = true;
    await client.flush();
    // Past its backoff, the next round looks the key up.
    for (let round = 0; round < 5 && client.get(handle.id)?.state !== 'confirmed'; round++) {
      now += 60_000;
      await client.flush();
    }
    expect(await handle.outcome).toMatchObject({ state: 'confirmed', replayed: true });
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    const attempts = (await client.log(handle.id)).filter((r) => r.type === 'attempt');
    expect(attempts.map((r) => r.type === 'attempt' && r.errorCode)).toEqual([
      'NETWORK',
      'WINDOW_CLOSED',
      undefined,
    ]);
  });

  test('past the window, lookup says never seen → sent once', async () => {
    let now = 1_000_000;
    const clock = steppedClock(() => now);
    const { client } = await setup(firstThen({ kind: 'reset' }), {
      clock,
      attemptsPerFlush: 1,
      backoffBaseMs: 10_000,
    });
    const handle = await client.post('/tickets', {});
    await client.flush();
    now += 86_400_000;
    await client.flush();
    expect((await handle.outcome).state).toBe('confirmed');
    expect(server.applied).toHaveLength(1);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
  });

  test('past the window with no lookup route → expired, reported, not re-sent; replay sends it once', async () => {
    let now = 1_000_000;
    const clock = steppedClock(() => now);
    const { client, reports } = await setup(firstThen({ kind: 'reset' }), {
      clock,
      attemptsPerFlush: 1,
      backoffBaseMs: 10_000,
      lookupPath: null,
    });
    const handle = await client.post('/tickets', {});
    await client.flush();
    now += 86_400_000;
    await client.flush();
    expect(await handle.outcome).toMatchObject({ state: 'expired' });
    expect(server.requests).toHaveLength(1);
    await expect.poll(() => reports.map((r) => r.kind), { timeout: 30_000 }).toEqual(['expired']);
    const again = await client.replay(handle.id);
    expect(again.key).toBe(handle.key);
    expect((await again.outcome).state).toBe('confirmed');
    expect(server.applied).toHaveLength(1);
  });

  test('a lookup route that answers without our key is not believed, and after three such answers the write needs a person', async () => {
    let now = 1_000_000;
    const clock = steppedClock(() => now);
    server = await startProtocolServer({ lookup: false });
    // The write is applied but its answer lost; the "lookup" is a catch-all route that says 200 {}.
    let first = true;
    server.script = (request) => {
      if (request.method === 'GET') return { kind: 'reply', status: 200, headers: {}, body: '{}' };
      if (first) {
        first = false;
        return { kind: 'apply-then-reset' };
      }
      return { kind: 'protocol' };
    };
    const reports: ReportEvent[] = [];
    client = createClient({
      store: memoryStore(),
      baseUrl: server.url,
      clock,
      attemptsPerFlush: 1,
      backoffBaseMs: 10_000,
      uncertainReportAfterMs: 10 * 86_400_000,
      reporter: { report: (event) => void reports.push(event) },
    });
    const handle = await client.post('/tickets', {});
    await client.flush();
    now += 86_400_000;
    for (let i = 0; i < 2; i++) {
      await client.flush();
      expect(client.get(handle.id)).toMatchObject({
        state: 'uncertain',
        lastError: { code: 'LOOKUP_NOT_PROTOCOL' },
      });
      expect(client.summary().needsAttention).toBe(0);
    }
    await client.flush();
    expect(await handle.outcome).toMatchObject({ state: 'expired' });
    expect(client.get(handle.id)?.lastError).toMatchObject({ code: 'LOOKUP_NOT_PROTOCOL', status: 200 });
    expect(client.get(handle.id)?.outcome?.reason).toMatch(/lookup route does not follow the protocol/);
    expect(client.summary()).toMatchObject({ waiting: 0, needsAttention: 1 });
    await expect.poll(() => reports.map((r) => r.kind), { timeout: 30_000 }).toEqual(['expired']);
    // Never re-sent: three lookups, one POST, one effect.
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(3);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(server.applied).toHaveLength(1);
  });

  test('the server-published retention is used', async () => {
    let now = 1_000_000;
    const clock = steppedClock(() => now);
    // The 503 is the server's own (it echoes our key), so what it publishes is believed.
    const { client } = await setup(() => ({ kind: 'reply', status: 503 }), {
      clock,
      attemptsPerFlush: 1,
      backoffBaseMs: 1,
      lookupPath: null,
    });
    server.retentionSec = 60;
    const handle = await client.post('/tickets', {});
    await client.flush();
    expect(client.servers()).toMatchObject([{ origin: new URL(server.url).origin, retentionSec: 60 }]);
    now += 60_000;
    await client.flush();
    expect(client.get(handle.id)?.state).toBe('expired');
  });
});
