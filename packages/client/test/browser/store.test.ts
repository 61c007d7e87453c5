import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type {
  Client,
  ClientOptions,
  Entry,
  LogRecord,
  OutboxStore,
  QuarantinedRecord,
  ReportEvent,
} from '../../src/index.ts';
import { type AppServer, startAppServer } from './support/app-server.ts';
import { launchChromium } from './support/chromium.ts';
import { ready } from './support/page-api.ts';

const pages = { store: new URL('./pages/store.ts', import.meta.url).pathname };
let server: AppServer;
let browser: Browser;
let page: Page;

type Api = {
  createClient(options: ClientOptions): Client;
  localforageStore(options: { name: string }): OutboxStore;
  rawKeys(name: string): Promise<string[]>;
  rawPut(name: string, key: string, value: unknown): Promise<void>;
  rawGet(name: string, key: string): Promise<unknown>;
};
declare const s: Api;

beforeAll(async () => {
  server = await startAppServer(pages);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${server.url}/store`);
  await ready(page);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

declare const make: (id: string, seq: number, state?: string) => { entry: Entry; log: LogRecord };

test('one record per entry, holding the entry and its own log; never a shared array', async () => {
  const result = await page.evaluate(async () => {
    const store = s.localforageStore({ name: 'layout' });
    for (let i = 1; i <= 3; i++) {
      const { entry, log } = make(`e${i}`, i);
      await store.commit({ put: [entry], log: [log] });
    }
    const second = make('e2', 2).entry;
    await store.commit({
      put: [{ ...second, state: 'confirmed', updatedAt: 10 }],
      log: [{ type: 'attempt', at: 10, entryId: 'e2', attempt: 1, durationMs: 3, status: 201, result: 'ok' }],
    });
    const keys = (await s.rawKeys('layout')).sort();
    const raw = await s.rawGet('layout', 'entry:e2');
    const loaded = await store.load();
    return {
      keys,
      raw,
      loaded,
      log: await store.readLog('e2'),
      all: await store.readLog(),
      got: await store.getEntry('e2'),
    };
  });
  expect(result.keys).toEqual(['entry:e1', 'entry:e2', 'entry:e3']);
  expect(result.raw).toMatchObject({
    v: 1,
    entry: { id: 'e2', state: 'confirmed' },
    log: [{ to: 'queued' }, { type: 'attempt', status: 201 }],
  });
  expect(result.loaded.entries.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
  expect(result.loaded.quarantined).toEqual([]);
  expect(result.log.map((r) => r.type)).toEqual(['transition', 'attempt']);
  expect(result.all).toHaveLength(4);
  expect(result.got?.state).toBe('confirmed');
});

test('a removed entry keeps its log readable; a multi-entry commit interrupted half-way is completed by load()', async () => {
  const result = await page.evaluate(async () => {
    const store = s.localforageStore({ name: 'redo' });
    for (let i = 1; i <= 3; i++) {
      const { entry, log } = make(`r${i}`, i);
      await store.commit({ put: [entry], log: [log] });
    }
    await store.commit({
      remove: ['r1'],
      log: [
        {
          type: 'transition',
          at: 5,
          entryId: 'r1',
          from: 'queued',
          to: 'queued',
          reason: 'discarded by a person',
        },
      ],
    });
    // A tab died after writing the redo record of a purge of r2 and r3 and applying only the first step.
    await s.rawPut('redo', 'commit:crashed', { v: 1, at: 6, change: { remove: ['r2', 'r3'] } });
    await s.rawPut('redo', 'log:r2', { v: 1, entryId: 'r2', removedAt: 6, log: [make('r2', 2).log] });
    const fresh = s.localforageStore({ name: 'redo' });
    const loaded = await fresh.load();
    return {
      ids: loaded.entries.map((e) => e.id),
      keys: (await s.rawKeys('redo')).sort(),
      r1: await fresh.readLog('r1'),
    };
  });
  expect(result.ids).toEqual([]);
  expect(result.keys).toEqual(['log:r1', 'log:r2', 'log:r3']);
  expect(result.r1.map((r) => (r.type === 'transition' ? (r.reason ?? null) : r.type))).toEqual([
    null,
    'discarded by a person',
  ]);
});

test('corrupt records are moved aside and reported once; healthy entries load beside them', async () => {
  const result = await page.evaluate(async () => {
    const store = s.localforageStore({ name: 'corrupt' });
    const { entry, log } = make('good', 1);
    await store.commit({ put: [entry], log: [log] });
    await s.rawPut('corrupt', 'entry:garbage', 'this is not an entry');
    await s.rawPut('corrupt', 'entry:half', { v: 1, entry: { id: 'half', state: 'queued' }, log: [] });
    await s.rawPut('corrupt', 'entry:wrong-id', { v: 1, ...make('other', 2), log: [] });
    await s.rawPut('corrupt', 'stray', 42);
    const first = await store.load();
    const second = await s.localforageStore({ name: 'corrupt' }).load();
    return {
      first,
      second,
      keys: (await s.rawKeys('corrupt')).sort(),
      kept: await s.rawGet('corrupt', 'quarantine:entry:garbage'),
      missing: await store.getEntry('garbage'),
    };
  });
  expect(result.first.entries.map((e) => e.id)).toEqual(['good']);
  const reasons = Object.fromEntries(
    result.first.quarantined.map((q: QuarantinedRecord) => [q.location, q.reason]),
  );
  expect(Object.keys(reasons).sort()).toEqual([
    'corrupt/outbox/entry:garbage',
    'corrupt/outbox/entry:half',
    'corrupt/outbox/entry:wrong-id',
    'corrupt/outbox/stray',
  ]);
  expect(reasons['corrupt/outbox/entry:half']).toMatch(/entry\.key/);
  expect(result.second).toEqual({ entries: result.first.entries, quarantined: [] });
  expect(result.keys).toEqual([
    'entry:good',
    'quarantine:entry:garbage',
    'quarantine:entry:half',
    'quarantine:entry:wrong-id',
    'quarantine:stray',
  ]);
  expect(result.kept).toMatchObject({ raw: 'this is not an entry', reason: 'not a Landed entry record' });
  expect(result.missing).toBeUndefined();
});

test('a client over a store with corrupt records reports them and still sends every healthy entry', async () => {
  const result = await page.evaluate(async () => {
    const offline = { isOnline: () => false, subscribe: () => () => {} };
    const first = s.createClient({
      store: s.localforageStore({ name: 'mixed' }),
      baseUrl: location.origin,
      online: offline,
    });
    const keys = [
      (await first.post('/api/orders', { n: 1 })).key,
      (await first.post('/api/orders', { n: 2 })).key,
    ];
    await first.close();
    await s.rawPut('mixed', 'entry:broken', { v: 1, entry: { id: 'broken' }, log: [] });
    await s.rawPut('mixed', 'entry:older-format', { v: 0, anything: true });
    const reports: ReportEvent[] = [];
    const second = s.createClient({
      store: s.localforageStore({ name: 'mixed' }),
      baseUrl: location.origin,
      reporter: { report: (event) => void reports.push(event) },
    });
    await second.drain({ timeoutMs: 10_000 });
    const states = second.list().map((e) => [e.key, e.state, e.outcome?.status]);
    await second.close();
    return {
      keys,
      states,
      reports: reports.map((r) => (r.kind === 'quarantined' ? r.record.location : r.kind)),
    };
  });
  expect(result.states).toEqual(result.keys.map((key) => [key, 'confirmed', 201]));
  expect(server.applied.map((a) => a.key)).toEqual(result.keys);
  expect(result.reports.sort()).toEqual(['mixed/outbox/entry:broken', 'mixed/outbox/entry:older-format']);
});

test('what the client learned of a server survives a reload; a damaged server record is set aside, the rest loads', async () => {
  const result = await page.evaluate(async () => {
    const name = `servers-${Math.random()}`;
    const first = s.localforageStore({ name });
    await first.load();
    await first.commit({ servers: [{ origin: 'https://api.example', retentionSec: 2, heardAt: 5 }] });
    await first.commit({ servers: [{ origin: 'https://api.example', retentionSec: 3, heardAt: 6 }] });
    await first.close();
    await s.rawPut(name, 'server:https://other.example', {
      origin: 'https://other.example',
      heardAt: 'soon',
    });
    const again = s.localforageStore({ name });
    const loaded = await again.load();
    await again.close();
    return {
      servers: loaded.servers,
      quarantined: loaded.quarantined.map((q: QuarantinedRecord) => q.reason),
    };
  });
  expect(result.servers).toEqual([{ origin: 'https://api.example', retentionSec: 3, heardAt: 6 }]);
  expect(result.quarantined).toEqual(['server.heardAt is not a number']);
});
