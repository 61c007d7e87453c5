import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { useChromiumApp } from './support/fixture.ts';
import { type PageEntry, pageSummary, pageWrite, ready, waitForEntries } from './support/page-api.ts';

const pages = { outbox: new URL('./pages/outbox.ts', import.meta.url).pathname };
const app = useChromiumApp(pages);

const tabOf = (page: Page) => page.evaluate(() => (globalThis as unknown as { t: { tab: string } }).t.tab);
const writeMany = (page: Page, from: string, count: number) =>
  page.evaluate(
    ([tab, n]) => {
      const t = (globalThis as unknown as { t: { write(b: unknown): Promise<{ key: string }> } }).t;
      return Promise.all(Array.from({ length: n }, async (_, i) => (await t.write({ tab, i })).key));
    },
    [from, count] as const,
  );
const confirmed = (count: number) => (entries: PageEntry[]) =>
  entries.length === count && entries.every((e) => e.state === 'confirmed');

async function openTab(url: string, context: import('playwright-core').BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await ready(page);
  return page;
}

test('two tabs write at once: one tab sends everything, every write lands once; closing the leader hands over', async () => {
  const context = await app.browser.newContext();
  const url = `${app.server.url}/outbox?name=tabs`;
  const first = await openTab(url, context);
  await first.waitForFunction(
    () => (globalThis as unknown as { t: { summary(): { leader: boolean } } }).t.summary().leader,
  );
  const second = await openTab(url, context);
  const [firstTab, secondTab] = [await tabOf(first), await tabOf(second)];
  expect((await pageSummary(second)).leader).toBe(false);

  const [fromFirst, fromSecond] = await Promise.all([
    writeMany(first, 'first', 10),
    writeMany(second, 'second', 10),
  ]);
  await app.server.waitForApplied(20);
  // Both tabs see every entry settle, the follower through the shared store and the channel.
  await waitForEntries(first, confirmed(20), 'the leader to see 20 confirmed');
  await waitForEntries(second, confirmed(20), 'the follower to see 20 confirmed');
  expect(app.server.applied.map((a) => a.key).sort()).toEqual([...fromFirst, ...fromSecond].sort());
  expect(new Set(app.server.seen.map((s) => s.headers['x-test-tab']))).toEqual(new Set([firstTab]));

  // The leader goes away with two applied writes still waiting for their answers.
  app.server.mode = 'hold';
  const inFlight = await Promise.all([pageWrite(first, { last: 1 }), pageWrite(first, { last: 2 })]);
  await app.server.waitForApplied(21);
  app.server.mode = 'protocol';
  await first.close();
  app.server.dropHeld();

  await second.waitForFunction(
    () => (globalThis as unknown as { t: { summary(): { leader: boolean } } }).t.summary().leader,
  );
  const afterHandOver = await writeMany(second, 'second', 3);
  const entries = await waitForEntries(second, confirmed(25), 'the new leader to confirm all 25');
  const keys = [
    ...fromFirst,
    ...fromSecond,
    ...inFlight.map((w) => (w as { key: string }).key),
    ...afterHandOver,
  ];
  expect(entries.map((e) => e.key).sort()).toEqual([...keys].sort());
  // Nothing applied twice, and everything after the hand-over was sent by the second tab.
  expect(app.server.applied.map((a) => a.key).sort()).toEqual([...keys].sort());
  const late = app.server.seen.filter((s) => afterHandOver.includes(s.key ?? ''));
  expect(new Set(late.map((s) => s.headers['x-test-tab']))).toEqual(new Set([secondTab]));
  await context.close();
});
