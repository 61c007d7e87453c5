import type { BrowserContext, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { useChromiumApp } from './support/fixture.ts';
import { pageEntries, pageSummary, pageWrite, ready, waitForEntries } from './support/page-api.ts';

// A write a tab committed to IndexedDB but never announced (the tab died before its notice left) is
// sent as soon as another tab of the origin opens: a tab that loads the outbox and does not send tells
// the sending tab of every write waiting in it. Before, the sending tab learnt of it only when it
// reloaded or another tab took the lead, so it could wait for as long as the sending tab stayed open.
const pages = {
  outbox: new URL('./pages/outbox.ts', import.meta.url).pathname,
  'silent-tab': new URL('./pages/silent-tab.ts', import.meta.url).pathname,
};
const app = useChromiumApp(pages);

async function openTab(url: string, context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await ready(page);
  return page;
}

test('a write committed by a tab that never announced it is sent once another tab opens', async () => {
  const context = await app.browser.newContext();
  const sender = await openTab(`${app.server.url}/outbox?name=unannounced`, context);
  await sender.waitForFunction(
    () => (globalThis as unknown as { t: { summary(): { leader: boolean } } }).t.summary().leader,
  );
  const silent = await openTab(`${app.server.url}/silent-tab?name=unannounced`, context);
  expect((await pageSummary(silent)).leader).toBe(false);
  const written = await pageWrite(silent, { pen: 'P-1' });
  expect(written).toMatchObject({ key: expect.any(String) });
  await silent.close();
  // Nobody told the sending tab: it has not heard of the write.
  expect(await pageEntries(sender)).toEqual([]);

  const other = await openTab(`${app.server.url}/outbox?name=unannounced`, context);
  await app.server.waitForApplied(1);
  await waitForEntries(
    sender,
    (list) => list.length === 1 && list[0]?.state === 'confirmed',
    'confirmed in the sender',
  );
  await waitForEntries(
    other,
    (list) => list.length === 1 && list[0]?.state === 'confirmed',
    'confirmed in the new tab',
  );
  expect(app.server.applied.map((a) => a.key)).toEqual([(written as { key: string }).key]);
  await context.close();
});
