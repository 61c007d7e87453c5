import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { useChromiumApp } from './support/fixture.ts';
import { ready } from './support/page-api.ts';

const pages = { signals: new URL('./pages/signals.ts', import.meta.url).pathname };

type Api = {
  seen: { online: boolean[]; focus: number; messages: unknown[]; visibility: string[] };
  isOnline(): boolean;
  post(message: unknown): void;
  raw(data: unknown): void;
  lead(timeoutMs?: number): Promise<string>;
  release(): Promise<void>;
};
const t = <R>(page: Page, fn: (api: Api, arg: unknown) => R, arg?: unknown) =>
  page.evaluate(
    ([source, a]) =>
      new Function('api', 'arg', `return (${source})(api, arg)`)((globalThis as unknown as { t: Api }).t, a),
    [fn.toString(), arg] as const,
  ) as Promise<Awaited<R>>;

const app = useChromiumApp(pages);

test('online signal follows the browser: offline and back', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/signals`);
  await ready(page);
  expect(await t(page, (api) => api.isOnline())).toBe(true);
  await context.setOffline(true);
  await page.waitForFunction(() => !navigator.onLine);
  expect(await t(page, (api) => api.isOnline())).toBe(false);
  await context.setOffline(false);
  await page.waitForFunction(() => navigator.onLine);
  expect(await t(page, (api) => api.seen.online)).toEqual([false, true]);
  await context.close();
});

test('focus signal fires when the page becomes visible again, not when it is hidden (visibility set by hand)', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/signals`);
  await ready(page);
  // Headless Chromium never hides a page (minimising its window does not either), so the state is
  // set by hand and the real event is dispatched: hidden first, then visible.
  await page.evaluate(() => {
    let state: DocumentVisibilityState = 'visible';
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
    (globalThis as unknown as { setVisibility(next: DocumentVisibilityState): void }).setVisibility = (
      next,
    ) => {
      state = next;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
  const setVisibility = (next: string) =>
    page.evaluate(
      (n) => (globalThis as unknown as { setVisibility(next: string): void }).setVisibility(n),
      next,
    );
  await setVisibility('hidden');
  expect(await t(page, (api) => api.seen.focus)).toBe(0);
  await setVisibility('visible');
  const seen = await t(page, (api) => api.seen);
  expect(seen.visibility).toEqual(['hidden', 'visible']);
  expect(seen.focus).toBe(1);
  await context.close();
});

test('Web Locks: one leader per name; the next waits, takes over on release or when the tab closes', async () => {
  const context = await app.browser.newContext();
  const [a, b, c] = [await context.newPage(), await context.newPage(), await context.newPage()];
  for (const page of [a, b, c]) {
    await page.goto(`${app.server.url}/signals`);
    await ready(page);
  }
  expect(await t(a, (api) => api.lead())).toBe('leading');
  expect(await t(b, (api) => api.lead(300))).toMatch(/Abort|Timeout/);
  const waiting = t(b, (api) => api.lead());
  await t(a, (api) => api.release());
  expect(await waiting).toBe('leading');
  const next = t(c, (api) => api.lead());
  await b.close(); // the browser lets go of a closed tab's lock
  expect(await next).toBe('leading');
  await context.close();
});

test('the channel carries outbox notices between tabs and ignores anything else', async () => {
  const context = await app.browser.newContext();
  const [a, b] = [await context.newPage(), await context.newPage()];
  for (const page of [a, b]) {
    await page.goto(`${app.server.url}/signals`);
    await ready(page);
  }
  await t(a, (api) => api.raw({ type: 'written' })); // no id
  await t(a, (api) => api.raw('hello'));
  await t(a, (api) => api.post({ type: 'written', id: 'e1' }));
  await t(a, (api) => api.post({ type: 'flush' }));
  await b.waitForFunction(() => (globalThis as unknown as { t: Api }).t.seen.messages.length >= 2);
  expect(await t(b, (api) => api.seen.messages)).toEqual([{ type: 'written', id: 'e1' }, { type: 'flush' }]);
  expect(await t(a, (api) => api.seen.messages)).toEqual([]);
  await context.close();
});
