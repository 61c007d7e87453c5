import { expect, test } from 'vitest';
import { goOffline, useChromiumApp } from './support/fixture.ts';
import { pageEntries, pageWrite, ready, waitForEntries } from './support/page-api.ts';

const pages = { outbox: new URL('./pages/outbox.ts', import.meta.url).pathname };
const app = useChromiumApp(pages);

test('writes made offline survive a reload and each lands exactly once when the network returns', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=offline`);
  await ready(page);

  // While offline the page itself can only come from the test server: the write endpoint stays unreachable.
  await goOffline(context);
  const written = [];
  for (let n = 1; n <= 5; n++) {
    const result = await pageWrite(page, { order: n, item: 'ticket' });
    expect(result).toHaveProperty('id');
    written.push(result as { id: string; key: string });
  }
  expect(app.server.seen).toHaveLength(0);

  await page.reload();
  await ready(page);
  const after = await pageEntries(page);
  expect(after.map((e) => e.key).sort()).toEqual(written.map((w) => w.key).sort());
  expect(after.every((e) => e.state === 'queued')).toBe(true);
  expect(app.server.applied).toHaveLength(0);

  await context.setOffline(false);
  await app.server.waitForApplied(5);
  const settled = await waitForEntries(
    page,
    (entries) => entries.length === 5 && entries.every((e) => e.state === 'confirmed'),
    'all confirmed',
  );
  expect(settled.map((e) => e.outcome?.status)).toEqual([201, 201, 201, 201, 201]);
  // Lands once: every key applied exactly once, in the order written, with the body written.
  expect(app.server.applied.map((a) => a.key)).toEqual(written.map((w) => w.key));
  expect(app.server.applied.map((a) => JSON.parse(a.body).order)).toEqual([1, 2, 3, 4, 5]);
  await context.close();
});
