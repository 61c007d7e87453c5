// What a server publishes (`Idempotency-Retention`) bounds every entry bound for that server, not only
// the entry whose answer carried it — the duplicate a server of its own showed: an entry whose every
// answer was lost had heard nothing, fell back to the one-day default, and was re-sent past the
// server's real window, where the server had forgotten the key and applied it again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, type ClientOptions, createClient, memoryStore, type OutboxStore } from '@landed/client';
import { fileStore } from '@landed/client/node';
import { afterEach, describe, expect, test } from 'vitest';
import { storedEntry } from './support/entries.ts';
import { type Action, type ProtocolServer, startProtocolServer } from './support/protocol-server.ts';

let server: ProtocolServer;
const clients: Client[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await server?.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Time moves only when the test moves it, and no timer ever fires: only `flush()` sends, and the
 * 500 ms attempt timeout (which sets the retention margin below) never cuts off an answer that a busy
 * machine is slow to deliver.
 */
let now = 1_000_000;
const clock = {
  now: () => now,
  setTimeout: () => 0,
  clearTimeout: () => {},
};

function start(store: OutboxStore, extra: Partial<ClientOptions> = {}): Client {
  const client = createClient({
    store,
    baseUrl: server.url,
    clock,
    // Nothing is configured about retention: the client is left at its one-day default.
    attemptsPerFlush: 1,
    backoffBaseMs: 60_000,
    timeoutMs: 500,
    lookupPath: null,
    ...extra,
  });
  clients.push(client);
  return client;
}

/** Every POST of `key` the server saw. */
const postsOf = (key: string) => server.requests.filter((r) => r.method === 'POST' && r.key === key);
const appliedOf = (key: string) => server.applied.filter((a) => a.key === key);

/** Entries whose key the script names get `action` on every attempt; the rest follow the protocol. */
function lose(keys: Set<string>, action: Action = { kind: 'apply-then-reset' }) {
  server.script = (request) => (request.key && keys.has(request.key) ? action : { kind: 'protocol' });
}

describe('retention is learned per server', () => {
  test('an entry that never heard the server is not re-sent past the window the server published to another', async () => {
    now = 1_000_000;
    server = await startProtocolServer();
    server.retentionSec = 2;
    const client = start(memoryStore());
    const first = await client.post('/tickets', { n: 1 });
    expect((await first.outcome).state).toBe('confirmed');
    expect(client.servers()).toEqual([{ origin: new URL(server.url).origin, retentionSec: 2, heardAt: now }]);

    // From here every answer is lost after the server applied the write.
    server.script = () => ({ kind: 'apply-then-reset' });
    const second = await client.post('/tickets', { n: 2 });
    await client.flush();
    expect(client.get(second.id)?.state).toBe('uncertain');
    expect(appliedOf(second.key)).toHaveLength(1);

    // Past the published window the server forgets the key, as the server of that report did.
    now += 5_000;
    server.forget();
    server.script = () => ({ kind: 'protocol' });
    await client.flush();
    expect(postsOf(second.key)).toHaveLength(1);
    expect(appliedOf(second.key)).toHaveLength(1);
    expect(await second.outcome).toMatchObject({ state: 'expired' });
  });

  test('a shorter retention heard later shortens the window of entries already in flight', async () => {
    now = 1_000_000;
    server = await startProtocolServer();
    server.retentionSec = 86_400;
    const client = start(memoryStore());
    const inFlight = await client.post('/tickets', { n: 1 }, { lane: 'a' });
    lose(new Set([inFlight.key]));
    await client.flush();
    expect(client.get(inFlight.id)?.state).toBe('uncertain');

    server.retentionSec = 3;
    lose(new Set());
    const other = await client.post('/tickets', { n: 2 }, { lane: 'b' });
    expect((await other.outcome).state).toBe('confirmed');
    expect(client.servers()[0]?.retentionSec).toBe(3);

    now += 10_000;
    server.forget();
    await client.flush();
    expect(postsOf(inFlight.key)).toHaveLength(1);
    expect(appliedOf(inFlight.key)).toHaveLength(1);
    expect(client.get(inFlight.id)?.state).toBe('expired');
  });

  test('what a server published survives a restart (file store)', async () => {
    now = 1_000_000;
    server = await startProtocolServer();
    server.retentionSec = 2;
    const dir = mkdtempSync(join(tmpdir(), 'landed-retention-'));
    dirs.push(dir);
    const before = start(fileStore({ dir }));
    expect((await (await before.post('/tickets', { n: 1 })).outcome).state).toBe('confirmed');
    const pending = await before.post('/tickets', { n: 2 });
    lose(new Set([pending.key]));
    await before.flush();
    expect(before.get(pending.id)?.state).toBe('uncertain');
    await before.close();
    clients.splice(clients.indexOf(before), 1);

    now += 5_000;
    server.forget();
    lose(new Set());
    const after = start(fileStore({ dir }));
    await after.flush();
    expect(after.servers()).toEqual([
      { origin: new URL(server.url).origin, retentionSec: 2, heardAt: 1_000_000 },
    ]);
    expect(postsOf(pending.key)).toHaveLength(1);
    expect(appliedOf(pending.key)).toHaveLength(1);
    expect(after.get(pending.id)?.state).toBe('expired');
  });

  test('an answer that does not carry our key teaches nothing (a proxy speaks for no server)', async () => {
    now = 1_000_000;
    server = await startProtocolServer();
    server.script = (_request, index) =>
      index === 0
        ? { kind: 'reply', status: 502, headers: { 'idempotency-retention': '1' }, body: 'bad gateway' }
        : { kind: 'protocol' };
    const client = start(memoryStore(), { backoffBaseMs: 1 });
    const handle = await client.post('/tickets', {});
    await client.flush();
    await client.flush();
    expect((await handle.outcome).state).toBe('confirmed');
    // The second answer was the server's own: it published the protocol server's default.
    expect(client.servers().map((s) => s.retentionSec)).toEqual([86_400]);
  });

  test('entries of an older version that kept retention on themselves seed what is known of their server', async () => {
    now = 1_000_000;
    server = await startProtocolServer();
    const store = memoryStore();
    const url = `${server.url}/tickets`;
    await store.commit({
      put: [
        storedEntry('old-1', { url, state: 'confirmed', serverRetentionSec: 600 }),
        storedEntry('old-2', { url, state: 'confirmed', serverRetentionSec: 120 }),
      ],
    });
    const client = start(store, { autoStart: false });
    await client.flush();
    expect(client.servers()).toMatchObject([{ origin: new URL(server.url).origin, retentionSec: 120 }]);
  });
});
