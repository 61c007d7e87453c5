// @landed/react in a real Chromium: React DOM components bound to a browser outbox (localforage,
// Web Locks) writing to a real loopback server.

import { expect, test } from 'vitest';
// Not a React hook (a Vitest fixture), whatever its name says.
import { useChromiumApp as chromiumApp, goOffline } from '../../../client/test/browser/support/fixture.ts';
import { call, listedIds, ready, waitForListeners, waitForText } from './support/dom.ts';

const pages = { outbox: new URL('./pages/outbox.tsx', import.meta.url).pathname };
const app = chromiumApp(pages);

const row = (n: number, part: string) => `[data-testid=writes] li:nth-child(${n}) .${part}`;

test('a write shows as waiting, then confirmed; the form’s component stops listening when it unmounts', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=waiting`);
  await ready(page);
  await waitForText(page, '[data-testid=summary]', 'All writes landed');

  // The server applies the write but holds its answer: the page can only show it waiting.
  app.server.mode = 'hold';
  await page.getByRole('button', { name: 'Order' }).click();
  await waitForText(page, row(1, 'state'), 'sending');
  await waitForText(page, '[data-testid=summary]', '1 write waiting');
  await app.server.waitForApplied(1);

  // The answer is lost on the way back; the retry (same key) gets the stored answer replayed.
  app.server.mode = 'protocol';
  app.server.dropHeld();
  await waitForText(page, row(1, 'state'), 'confirmed');
  await waitForText(page, '[data-testid=summary]', 'All writes landed');
  expect(app.server.applied).toHaveLength(1);

  // One subscription to the client for all the components; none once they are gone (React lets go
  // in its passive effects, after the paint).
  expect(await call<number>(page, 'listeners')).toBe(1);
  await call(page, 'show', false);
  await waitForText(page, 'main p', 'hidden');
  await waitForListeners(page, 0);
  await call(page, 'show', true);
  await waitForText(page, row(1, 'state'), 'confirmed');
  await waitForListeners(page, 1);
  await context.close();
});

test('offline, a write waits queued; online again, it lands once and shows confirmed', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=offline`);
  await ready(page);
  const before = app.server.applied.length;

  await goOffline(context);
  await page.waitForFunction(
    () => document.querySelector('[data-testid=summary]')?.getAttribute('data-online') === 'false',
  );
  await page.getByRole('button', { name: 'Order' }).click();
  await waitForText(page, row(1, 'state'), 'queued');
  await waitForText(page, '[data-testid=summary]', '1 write waiting');
  expect(app.server.applied).toHaveLength(before);

  await context.setOffline(false);
  await waitForText(page, row(1, 'state'), 'confirmed');
  await waitForText(page, '[data-testid=summary]', 'All writes landed');
  expect(app.server.applied).toHaveLength(before + 1);
  await context.close();
});

test('a rejected write shows its reason, and the summary says it needs attention', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=rejected`);
  await ready(page);

  app.server.mode = 'reject';
  try {
    await page.getByRole('button', { name: 'Order' }).click();
    await waitForText(page, row(1, 'state'), 'rejected');
  } finally {
    app.server.mode = 'protocol';
  }
  await waitForText(page, row(1, 'reason'), 'HTTP 400: the server refused the write');
  await waitForText(page, row(1, 'title'), 'these seats are no longer available');
  await waitForText(page, '[data-testid=summary]', '1 needs attention');
  await context.close();
});

test('a reload shows the writes still waiting, from the IndexedDB outbox; they land once online', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=reload`);
  await ready(page);
  const before = app.server.applied.length;

  await goOffline(context);
  await page.getByRole('button', { name: 'Order' }).click();
  await waitForText(page, row(1, 'state'), 'queued');
  await page.getByRole('button', { name: 'Order' }).click();
  await waitForText(page, row(2, 'state'), 'queued');
  const ids = await listedIds(page);
  expect(ids).toHaveLength(2);

  await page.goto(`${app.server.url}/outbox?name=reload&watch=${ids.join(',')}`);
  await ready(page);
  await waitForText(page, '[data-testid=summary]', '2 writes waiting');
  await waitForText(page, row(1, 'state'), 'queued');
  await waitForText(page, row(2, 'state'), 'queued');
  expect(app.server.applied).toHaveLength(before);

  await context.setOffline(false);
  await waitForText(page, '[data-testid=summary]', 'All writes landed');
  await waitForText(page, row(1, 'state'), 'confirmed');
  await waitForText(page, row(2, 'state'), 'confirmed');
  expect(app.server.applied).toHaveLength(before + 2);
  await context.close();
});

test('components reading one outbox in a concurrent render never show two different summaries in one commit', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=tearing`);
  await ready(page);
  // 40 readers taking 2 ms each to render, in a transition, while 12 writes go in and land one after
  // the other: the outbox changes between readers. (Readers calling client.summary() directly show
  // two or three different texts in one commit here.)
  await call(page, 'race', 40, 12);
  expect(app.server.applied.filter((a) => a.body.includes('race'))).toHaveLength(12);
  await page.waitForFunction(
    () => {
      const readers = [...document.querySelectorAll('.reader')];
      return readers.length === 40 && readers.every((r) => r.textContent === 'All writes landed');
    },
    null,
    { timeout: 30_000, polling: 50 },
  );
  const commits = await call<string[][]>(page, 'commits');
  expect(commits.length).toBeGreaterThan(0);
  for (const texts of commits) expect(texts, JSON.stringify(commits)).toHaveLength(1);
  await context.close();
});
