import type { BrowserContext, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { startDesk } from '../../../../docs/examples/service-worker/server.ts';
import { goOffline, useChromiumApp } from './support/fixture.ts';
import { type PageEntry, pageWrite, ready, waitForEntries } from './support/page-api.ts';
import { type Drain, dispatchSync, waitForDrains } from './support/service-worker.ts';

const page = (name: string) => new URL(`./pages/${name}.ts`, import.meta.url).pathname;
const app = useChromiumApp({
  'sw-page': page('sw-page'),
  'sw-worker': page('sw-worker'),
  'sw-plain-worker': page('sw-plain-worker'),
});

type Failure = { error: string; message: string };
type SwApi = {
  register(worker: string, workerName: string, scope?: string): Promise<string>;
  connect(options?: {
    name?: string;
    scope?: string;
    timeoutMs?: number;
  }): Promise<{ tag: string; backgroundSync: boolean } | Failure>;
  misuse(): Failure;
};
const connect = (p: Page, options: Parameters<SwApi['connect']>[0] = {}) =>
  p.evaluate((o) => (globalThis as unknown as { sw: SwApi }).sw.connect(o), options);
const register = (p: Page, worker: string, workerName: string, scope = '/') =>
  p.evaluate(([w, n, s]) => (globalThis as unknown as { sw: SwApi }).sw.register(w, n, s), [
    worker,
    workerName,
    scope,
  ] as const);

/** A page of the app (`name` outbox) controlled by the sender's worker, connected to it. */
async function openConnected(context: BrowserContext, name: string): Promise<Page> {
  const p = await context.newPage();
  await p.goto(`${app.server.url}/sw-page?name=${name}`);
  await ready(p);
  await register(p, 'sw-worker', name);
  expect(await connect(p)).toEqual({ tag: `landed:${name}`, backgroundSync: true });
  return p;
}

const confirmed = (count: number) => (entries: PageEntry[]) =>
  entries.length === count && entries.every((e) => e.state === 'confirmed');
const drained = (drains: Drain[]) => drains.length > 0 && drains.every((d) => d.result === 'drained');
const keysOf = (writes: unknown[]) => writes.map((w) => (w as { key: string }).key);
// One server for the file: each test reads only the requests and writes of its own keys.
const seenFor = (keys: string[]) => app.server.seen.filter((s) => keys.includes(s.key ?? ''));
const appliedFor = (keys: string[]) =>
  app.server.applied.filter((a) => keys.includes(a.key)).map((a) => a.key);
const writeIn = (p: Page, body: unknown, lane: string) =>
  p.evaluate(
    ([b, l]) =>
      (globalThis as unknown as { t: { write(b: unknown, l: string): Promise<unknown> } }).t.write(b, l),
    [body, lane] as const,
  );
const tabOf = (p: Page) => p.evaluate(() => (globalThis as unknown as { t: { tab: string } }).t.tab);

// The fault is Playwright's `context.setOffline(true)`. Checked here (Chromium 156, playwright-core
// 1.65): it reaches the service worker too — Playwright applies it to the worker's target, the worker's
// fetches fail, and Chromium holds a sync registered meanwhile until the network returns (when it fires
// it by itself). The pages are served by the test itself while offline (`goOffline`).
test('written offline, every page closed: the worker sends the write on the sync event, once, and a new page shows it confirmed', async () => {
  const context = await app.browser.newContext();
  const first = await openConnected(context, 'sw-alone');
  await goOffline(context);
  const written = [await pageWrite(first, { order: 1 }), await pageWrite(first, { order: 2 })];
  expect(written.every((w) => 'key' in w)).toBe(true);
  await first.close();
  expect(context.pages()).toHaveLength(0);
  expect(seenFor(keysOf(written))).toHaveLength(0);

  // No page of the app is open from here on. CDP's ServiceWorker domain needs a page target: an
  // about:blank one (no app code, an opaque origin that shares no lock or storage with the app).
  const blank = await context.newPage();
  await context.setOffline(false);
  await dispatchSync(blank, app.server.url, 'landed:sw-alone');
  await app.server.waitFor(() => appliedFor(keysOf(written)).length === 2, 'both writes applied');
  // Chromium may also fire the sync it held back: the worker drains one event at a time, each ends
  // with the outbox empty, and nothing is sent twice.
  await waitForDrains(context, drained, 'the worker to finish draining');
  expect(appliedFor(keysOf(written))).toEqual(keysOf(written));
  expect(new Set(seenFor(keysOf(written)).map((s) => s.headers['x-test-tab']))).toEqual(
    new Set(['service-worker']),
  );

  // A page opened afterwards finds both writes confirmed in the shared outbox.
  const later = await context.newPage();
  await later.goto(`${app.server.url}/sw-page?name=sw-alone`);
  await ready(later);
  const entries = await waitForEntries(later, confirmed(2), 'the new page to show both confirmed');
  expect(entries.map((e) => e.outcome?.status)).toEqual([201, 201]);
  expect(appliedFor(keysOf(written))).toHaveLength(2);
  await context.close();
});

test('a page and the worker both alive: only the page sends; when it closes with writes on the wire the worker takes them over', async () => {
  const context = await app.browser.newContext();
  const name = 'sw-shared';
  const tab = await openConnected(context, name);
  const pageTab = await tabOf(tab);
  await goOffline(context);
  const offline = [];
  for (let n = 1; n <= 5; n++) offline.push(await pageWrite(tab, { order: n }));

  // The network returns: the page sends (it holds the outbox's lock), and the worker, woken by the
  // sync, waits in the lock's queue until every write has an outcome.
  await context.setOffline(false);
  await dispatchSync(tab, app.server.url, `landed:${name}`);
  await waitForEntries(tab, confirmed(5), 'the page to confirm all 5');
  await waitForDrains(context, drained, 'the worker to see every write land');
  expect(new Set(seenFor(keysOf(offline)).map((s) => s.headers['x-test-tab']))).toEqual(new Set([pageTab]));

  // Two writes are applied and their answers held; the worker drains meanwhile, waiting for the lock.
  app.server.mode = 'hold';
  // (Two lanes: in one lane the second would wait for the first's answer.)
  const held = [await writeIn(tab, { order: 6 }, 'six'), await writeIn(tab, { order: 7 }, 'seven')];
  await app.server.waitFor(() => appliedFor(keysOf(held)).length === 2, 'the two held writes applied');
  await dispatchSync(tab, app.server.url, `landed:${name}`);
  await tab.waitForFunction(
    async (lock) => {
      const { pending = [] } = await navigator.locks.query();
      return pending.some((request) => request.name === lock);
    },
    `landed:${name}`,
    { timeout: 40_000 },
  );
  app.server.mode = 'protocol';
  await tab.close();
  app.server.dropHeld();

  // The worker leads now: it re-sends the two with their keys and the server replays its answers.
  // (The drain recorded last is the one that waited for the lock: its event came in before the wait above.)
  await waitForDrains(context, (d) => d.at(-1)?.result === 'drained', 'the worker to drain the held writes');
  const all = [...keysOf(offline), ...keysOf(held)];
  const fromWorker = seenFor(all).filter((s) => s.headers['x-test-tab'] === 'service-worker');
  expect(new Set(fromWorker.map((s) => s.key))).toEqual(new Set(keysOf(held)));
  // Never both: each key applied once, and nothing the page sent was sent by the worker while it lived.
  expect(appliedFor(all)).toEqual(all);

  const later = await context.newPage();
  await later.goto(`${app.server.url}/sw-page?name=${name}`);
  await ready(later);
  const entries = await waitForEntries(later, confirmed(7), 'a new page to show all 7 confirmed');
  expect(entries.filter((e) => e.outcome?.replayed).map((e) => e.key)).toEqual(keysOf(held));
  await context.close();
});

test('misconfigured: the sender outside a worker, a page and worker on different outboxes, a worker without the sender', async () => {
  const context = await app.browser.newContext();
  const p = await context.newPage();
  await p.goto(`${app.server.url}/sw-page?name=sw-page-side`);
  await ready(p);

  const misuse = await p.evaluate(() => (globalThis as unknown as { sw: SwApi }).sw.misuse());
  expect(misuse).toMatchObject({ error: 'SERVICE_WORKER_REQUIRED' });
  const none = await connect(p);
  expect(none).toMatchObject({ error: 'SERVICE_WORKER_MISSING' });
  expect((none as Failure).message).toContain('no service worker is registered');

  await register(p, 'sw-worker', 'sw-other-outbox');
  const mismatch = await connect(p);
  expect(mismatch).toMatchObject({ error: 'SERVICE_WORKER_MISMATCH' });
  expect((mismatch as Failure).message).toContain('"sw-page-side"');
  expect((mismatch as Failure).message).toContain('"sw-other-outbox"');

  // A worker that never answers the hello: the link gives up after its timeout (nothing else races it).
  await register(p, 'sw-plain-worker', '', '/plain/');
  const plain = await connect(p, { scope: '/plain/', timeoutMs: 1_000 });
  expect(plain).toMatchObject({ error: 'SERVICE_WORKER_MISSING' });
  expect((plain as Failure).message).toContain('did not answer as a Landed sender');
  await context.close();
});

test('docs/examples/service-worker runs as documented: a pairing made offline lands after the tab is closed', async () => {
  const desk = await startDesk(0);
  const context = await app.browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(desk.url);
    await tab.waitForFunction(() => document.title === 'Museum desk', null, { timeout: 40_000 });
    await expect.poll(() => tab.locator('#worker').textContent()).toContain('sent by the service worker');
    await goOffline(context);
    await tab.getByRole('button', { name: 'Pair pen' }).click();
    await expect
      .poll(() => tab.locator('#pairings li').allTextContents())
      .toEqual(['pair P-77 with T-1001: queued']);
    await tab.close();

    const blank = await context.newPage();
    await context.setOffline(false);
    await dispatchSync(blank, desk.url, 'landed:museum-desk');
    await expect.poll(() => desk.pairings.map((p) => p.pen), { timeout: 30_000 }).toEqual(['P-77']);
    const later = await context.newPage();
    await later.goto(desk.url);
    await expect
      .poll(() => later.locator('#pairings li').allTextContents(), { timeout: 30_000 })
      .toEqual(['pair P-77 with T-1001: confirmed']);
    expect(desk.pairings).toHaveLength(1);
  } finally {
    await context.close();
    await desk.close();
  }
});
