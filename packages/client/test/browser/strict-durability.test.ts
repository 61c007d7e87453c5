// `localforageStore({ durability: 'strict' })` in real Chromium: every durable commit is an IndexedDB
// transaction opened with `{ durability: 'strict' }` (the browser flushes it to the disk before it
// completes), an attempt's outcome (`durable: false`) stays relaxed, the default store never asks for
// strict, and what a strict commit wrote is read back by localforage as its own. The page records the
// options of every read-write transaction IndexedDB is asked for.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Client, ClientOptions, Entry, LogRecord, OutboxStore } from '../../src/index.ts';
import { type AppServer, startAppServer } from './support/app-server.ts';
import { launchChromium } from './support/chromium.ts';
import { ready } from './support/page-api.ts';

const pages = { store: new URL('./pages/store.ts', import.meta.url).pathname };
let server: AppServer;
let browser: Browser;
let page: Page;

type Api = {
  createClient(options: ClientOptions): Client;
  localforageStore(options: { name: string; durability?: 'relaxed' | 'strict' }): OutboxStore;
  rawGet(name: string, key: string): Promise<unknown>;
};
declare const s: Api;
/** Durability of each read-write transaction asked for since the last `take()`, by object store. */
declare const transactions: { take(): string[] };
declare const make: (id: string, seq: number, state?: string) => { entry: Entry; log: LogRecord };

beforeAll(async () => {
  server = await startAppServer(pages);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${server.url}/store`);
  await ready(page);
  await page.evaluate(() => {
    const asked: string[] = [];
    const original = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (
      this: IDBDatabase,
      names: string | string[],
      mode?: IDBTransactionMode,
      options?: IDBTransactionOptions,
    ) {
      if (mode === 'readwrite') asked.push(options?.durability ?? 'default');
      return original.call(this, names, mode, options);
    } as typeof original;
    (globalThis as unknown as { transactions: unknown }).transactions = { take: () => asked.splice(0) };
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('a strict store flushes every durable commit; an outcome stays relaxed; localforage reads it all back', async () => {
  const result = await page.evaluate(async () => {
    const store = s.localforageStore({ name: 'strict', durability: 'strict' });
    await store.load();
    transactions.take();
    const { entry, log } = make('s1', 1);
    await store.commit({ put: [entry], log: [log] });
    const accepted = transactions.take();
    await store.commit(
      {
        put: [{ ...entry, state: 'confirmed', updatedAt: 2 }],
        log: [
          { type: 'attempt', at: 2, entryId: 's1', attempt: 1, durationMs: 3, status: 201, result: 'ok' },
        ],
      },
      { durable: false },
    );
    const outcome = transactions.take();
    // Two entries at once: the redo record, both entries and the redo record's removal.
    const a = make('s2', 3);
    const b = make('s3', 4);
    await store.commit({ put: [a.entry, b.entry], log: [a.log, b.log] });
    const multi = transactions.take();
    await store.commit({ remove: ['s2'] });
    const removed = transactions.take();
    await store.close();
    // Another store on the same database, with the browsers' default: it reads what the strict one wrote.
    const reader = s.localforageStore({ name: 'strict' });
    const loaded = await reader.load();
    return {
      accepted,
      outcome,
      multi,
      removed,
      loaded: loaded.entries.map((e) => [e.id, e.state]),
      quarantined: loaded.quarantined.length,
      log: (await reader.readLog('s1')).map((r) => r.type),
      raw: await s.rawGet('strict', 'entry:s1'),
    };
  });
  expect(result.accepted).toEqual(['strict']);
  expect(result.outcome).toEqual(['default']);
  expect(result.multi).toEqual(['strict', 'strict', 'strict', 'strict']);
  // The removed entry's log archived, then its record deleted: both on the disk.
  expect(result.removed).toEqual(['strict', 'strict']);
  expect(result.loaded).toEqual([
    ['s1', 'confirmed'],
    ['s3', 'queued'],
  ]);
  expect(result.quarantined).toBe(0);
  expect(result.log).toEqual(['transition', 'attempt']);
  expect(result.raw).toMatchObject({ v: 1, entry: { id: 's1', state: 'confirmed' } });
});

test("the default store never asks for strict; a client's accepted write on a strict store is flushed", async () => {
  const result = await page.evaluate(async () => {
    const offline = { isOnline: () => false, subscribe: () => () => {} };
    const relaxed = s.createClient({
      store: s.localforageStore({ name: 'relaxed-client' }),
      baseUrl: location.origin,
      online: offline,
    });
    await relaxed.flush();
    transactions.take();
    await relaxed.post('/api/orders', { n: 1 });
    const byDefault = transactions.take();
    await relaxed.close();
    const strict = s.createClient({
      store: s.localforageStore({ name: 'strict-client', durability: 'strict' }),
      baseUrl: location.origin,
      online: offline,
    });
    await strict.flush();
    transactions.take();
    const handle = await strict.post('/api/orders', { n: 2 });
    const accepted = transactions.take();
    const state = strict.get(handle.id)?.state;
    await strict.close();
    return { byDefault, accepted, state };
  });
  expect(result.byDefault.length).toBeGreaterThanOrEqual(1);
  expect(result.byDefault).not.toContain('strict');
  expect(result.accepted).toContain('strict');
  expect(result.state).toBe('queued');
});

test('after another connection upgraded the database, a strict commit reconnects and is still flushed', async () => {
  const result = await page.evaluate(async () => {
    const store = s.localforageStore({ name: 'strict-upgraded', durability: 'strict' });
    await store.load();
    const first = make('u1', 1);
    await store.commit({ put: [first.entry], log: [first.log] });
    // Another script opens the database at a higher version: the browser asks localforage's connection
    // to close (its `versionchange` handler does), so the store's next transaction finds it closed.
    const version = await new Promise<number>((resolve, reject) => {
      const probe = indexedDB.open('strict-upgraded');
      probe.onsuccess = () => {
        const v = probe.result.version;
        probe.result.close();
        resolve(v);
      };
      probe.onerror = () => reject(probe.error);
    });
    await new Promise<void>((resolve, reject) => {
      const upgrade = indexedDB.open('strict-upgraded', version + 1);
      upgrade.onsuccess = () => {
        upgrade.result.close();
        resolve();
      };
      upgrade.onerror = () => reject(upgrade.error);
    });
    transactions.take();
    const second = make('u2', 2);
    await store.commit({ put: [second.entry], log: [second.log] });
    const asked = transactions.take();
    const loaded = await store.load();
    return { asked, loaded: loaded.entries.map((e) => e.id) };
  });
  // The strict transaction refused on the closed connection, localforage's own reconnecting write,
  // then the same record written again, strictly, on the new connection.
  // (localforage tries its own transaction once on the closed connection before it reconnects.)
  expect(result.asked[0]).toBe('strict');
  expect(result.asked.slice(1, -1)).toEqual(['default', 'default']);
  expect(result.asked.at(-1)).toBe('strict');
  expect(result.loaded).toEqual(['u1', 'u2']);
});
