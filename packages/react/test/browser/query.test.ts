// @landed/react/query with the real @tanstack/react-query in a real Chromium: mutations that write
// through the outbox, settle on the write's outcome, and invalidate queries when it lands.

import { expect, test } from 'vitest';
// Not a React hook (a Vitest fixture), whatever its name says.
import { useChromiumApp as chromiumApp, goOffline } from '../../../client/test/browser/support/fixture.ts';
import { call, ready, waitForText } from './support/dom.ts';

const pages = { query: new URL('./pages/query.tsx', import.meta.url).pathname };
const app = chromiumApp(pages);

test('a mutation stays pending while the write is unanswered and resolves once it is confirmed, invalidating the query', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/query?name=confirm`);
  await ready(page);
  await waitForText(page, '[data-testid=fetched]', 'fetched 1');
  const before = app.server.applied.length;

  app.server.mode = 'hold';
  await page.getByRole('button', { name: 'Buy', exact: true }).click();
  await app.server.waitForApplied(before + 1);
  await waitForText(page, '[data-testid=buy]', 'pending');
  await waitForText(page, '[data-testid=summary]', '1 write waiting');

  // The answer is lost; the outbox's retry (same key) gets it replayed: still one order.
  app.server.mode = 'protocol';
  app.server.dropHeld();
  await waitForText(page, '[data-testid=buy]', 'success confirmed 201');
  await waitForText(page, '[data-testid=fetched]', 'fetched 2');
  expect(app.server.applied).toHaveLength(before + 1);

  // The same through useMutation({ ...landedMutation(client, …) }).
  await page.getByRole('button', { name: 'Buy with useMutation' }).click();
  await waitForText(page, '[data-testid=buy-plain]', 'success confirmed 201');
  await waitForText(page, '[data-testid=fetched]', 'fetched 3');
  expect(app.server.applied).toHaveLength(before + 2);
  await context.close();
});

test('a mutation whose write is rejected fails with WRITE_REJECTED and the server’s reason; nothing is invalidated', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/query?name=reject`);
  await ready(page);
  await waitForText(page, '[data-testid=fetched]', 'fetched 1');

  app.server.mode = 'reject';
  try {
    await page.getByRole('button', { name: 'Buy', exact: true }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=buy]')?.textContent?.startsWith('error'),
      null,
      { timeout: 30_000 },
    );
  } finally {
    app.server.mode = 'protocol';
  }
  const shown = await page.locator('[data-testid=buy]').textContent();
  expect(shown).toMatch(
    /^error WRITE_REJECTED: write \S+ was rejected: HTTP 400: the server refused the write; it is not sent again$/,
  );
  await waitForText(page, '[data-testid=summary]', '1 needs attention');
  expect(await page.locator('[data-testid=fetched]').textContent()).toBe('fetched 1');
  await context.close();
});

test('a write accepted offline lands after its component unmounted, and the query is still invalidated', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/query?name=unmount`);
  await ready(page);
  await waitForText(page, '[data-testid=fetched]', 'fetched 1');
  const before = app.server.applied.length;

  await goOffline(context);
  await page.getByRole('button', { name: 'Buy', exact: true }).click();
  // Not paused by TanStack Query's offline handling: the write is in the outbox, waiting.
  await waitForText(page, '[data-testid=summary]', '1 write waiting');
  await waitForText(page, '[data-testid=buy]', 'pending');
  await call(page, 'showBuyers', false);
  await waitForText(page, '[data-testid=no-buyers]', 'gone');

  await context.setOffline(false);
  await waitForText(page, '[data-testid=summary]', 'All writes landed');
  await waitForText(page, '[data-testid=fetched]', 'fetched 2');
  expect(app.server.applied).toHaveLength(before + 1);
  await context.close();
});

test('a write accepted offline survives a reload; when it lands the new page’s query cache is told (invalidateOnConfirmed)', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/query?name=reload&sync=1`);
  await ready(page);
  const before = app.server.applied.length;

  await goOffline(context);
  await page.getByRole('button', { name: 'Buy', exact: true }).click();
  await waitForText(page, '[data-testid=summary]', '1 write waiting');

  await page.reload();
  await ready(page);
  await waitForText(page, '[data-testid=summary]', '1 write waiting');
  await waitForText(page, '[data-testid=fetched]', 'fetched 1');
  expect(app.server.applied).toHaveLength(before);

  await context.setOffline(false);
  await waitForText(page, '[data-testid=summary]', 'All writes landed');
  await waitForText(page, '[data-testid=fetched]', 'fetched 2');
  expect(app.server.applied).toHaveLength(before + 1);
  await context.close();
});
