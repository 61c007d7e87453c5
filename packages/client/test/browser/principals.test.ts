import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { goOffline, useChromiumApp } from './support/fixture.ts';
import { pageEntries, pageWrite, ready, waitForEntries } from './support/page-api.ts';

const pages = { outbox: new URL('./pages/outbox.ts', import.meta.url).pathname };
const app = useChromiumApp(pages);

type Api = {
  logout(mode: 'park' | 'purge'): Promise<void>;
  setPrincipal(p: string | undefined): Promise<void>;
  flush(): Promise<void>;
  summary(): { leader: boolean };
};
const logout = (page: Page, mode: 'park' | 'purge') =>
  page.evaluate((m) => (globalThis as unknown as { t: Api }).t.logout(m), mode);
const login = (page: Page, who: string) =>
  page.evaluate((p) => (globalThis as unknown as { t: Api }).t.setPrincipal(p), who);
/** Resolves once the page sends (it holds the lock) and has sent everything it may: nothing in flight or due. */
async function sentAllItMay(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as { t: Api }).t.summary().leader);
  await page.evaluate(() => (globalThis as unknown as { t: Api }).t.flush());
}

test("logout parks a user's unsent writes across a reload: the next user never sends them, their owner does", async () => {
  const context = await app.browser.newContext();
  await goOffline(context);
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=park&principal=alice`);
  await ready(page);
  const alice = [
    (await pageWrite(page, { who: 'alice', n: 1 })) as { key: string },
    (await pageWrite(page, { who: 'alice', n: 2 })) as { key: string },
  ];
  await logout(page, 'park');

  await page.goto(`${app.server.url}/outbox?name=park&principal=bob`);
  await ready(page);
  const bob = (await pageWrite(page, { who: 'bob' })) as { key: string };
  expect((await pageEntries(page)).filter((e) => e.principal === 'alice').every((e) => e.parked)).toBe(true);
  await context.setOffline(false);
  await app.server.waitForApplied(1);
  await sentAllItMay(page);
  expect(app.server.applied.map((a) => a.key)).toEqual([bob.key]);

  await logout(page, 'park');
  await login(page, 'alice');
  await waitForEntries(
    page,
    (list) => list.length === 3 && list.every((e) => e.state === 'confirmed'),
    "alice's writes to land",
  );
  expect(app.server.applied.map((a) => a.key)).toEqual([bob.key, ...alice.map((a) => a.key)]);
  await context.close();
});

test("logout with purge deletes a user's unsent writes from IndexedDB: after a reload nothing of theirs is left or sent", async () => {
  const before = app.server.applied.length;
  const context = await app.browser.newContext();
  await goOffline(context);
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=purge&principal=carol`);
  await ready(page);
  for (let n = 1; n <= 3; n++) await pageWrite(page, { who: 'carol', n });
  await logout(page, 'purge');
  await context.setOffline(false);
  await page.goto(`${app.server.url}/outbox?name=purge&principal=carol`);
  await ready(page);
  await sentAllItMay(page);
  expect(await pageEntries(page)).toEqual([]);
  expect(app.server.applied.length).toBe(before);
  await context.close();
});
