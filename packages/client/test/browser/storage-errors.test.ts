import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { useChromiumApp } from './support/fixture.ts';
import { pageEntries, pageWrite, ready, waitForEntries } from './support/page-api.ts';

const pages = {
  outbox: new URL('./pages/outbox.ts', import.meta.url).pathname,
  blocker: new URL('./pages/blocker.ts', import.meta.url).pathname,
};
const app = useChromiumApp(pages);

test.each(['relaxed', 'strict'])(
  'storage quota exhausted (durability %s): write() rejects with STORE_QUOTA_EXCEEDED, earlier entries stay intact and land',
  async (durability) => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    const url = `${app.server.url}/outbox?name=quota-${durability}&durability=${durability}`;
    await page.goto(url);
    await ready(page);
    // The origin's quota is cut to a little more than it uses (Chromium applies a quota override to
    // IndexedDB writes that come after it): a few small writes fit, a large one cannot.
    const cdp = await context.newCDPSession(page);
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: app.server.url, quotaSize: usage + 200_000 });
    await context.setOffline(true);
    const earlier = [];
    for (let n = 1; n <= 3; n++) earlier.push((await pageWrite(page, { n })) as { key: string });

    // Random, so IndexedDB cannot compress it into the room that is left.
    const refused = await pageWrite(page, { photo: randomBytes(300_000).toString('base64') });
    expect(refused).toMatchObject({ error: 'STORE_QUOTA_EXCEEDED' });
    expect((refused as { message: string }).message).toMatch(/quota/);

    const entries = await pageEntries(page);
    expect(entries.map((e) => e.key)).toEqual(earlier.map((e) => e.key));
    // Space comes back (the user cleared some); the earlier entries are still there and land.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: app.server.url });
    await context.setOffline(false);
    await page.goto(url);
    await ready(page);
    await waitForEntries(
      page,
      (list) => list.length === 3 && list.every((e) => e.state === 'confirmed'),
      'the earlier entries to land',
    );
    const keys = new Set(earlier.map((e) => e.key));
    expect(app.server.applied.filter((a) => keys.has(a.key)).map((a) => a.key)).toEqual(
      earlier.map((e) => e.key),
    );
    expect(app.server.applied.some((a) => a.body.includes('photo'))).toBe(false);
    await context.close();
  },
);

test('IndexedDB blocked by another tab: write() rejects with STORE_UNAVAILABLE; once it closes, writes land', async () => {
  const context = await app.browser.newContext();
  const blocker = await context.newPage();
  await blocker.goto(`${app.server.url}/blocker?name=blocked`);
  await ready(blocker);

  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=blocked&openTimeoutMs=1500`);
  await ready(page);
  const before = app.server.seen.length;
  const refused = await pageWrite(page, { n: 1 });
  expect(refused).toMatchObject({ error: 'STORE_UNAVAILABLE' });
  expect((refused as { message: string }).message).toMatch(/other tabs/);
  expect(await blocker.title()).toBe('asked to close');
  expect(app.server.seen.length).toBe(before);

  await blocker.close();
  await page.reload();
  await ready(page);
  const accepted = (await pageWrite(page, { n: 2 })) as { key: string };
  expect(accepted.key).toBeTypeOf('string');
  await waitForEntries(
    page,
    (list) => list.length === 1 && list[0]?.state === 'confirmed',
    'the write to land',
  );
  expect(app.server.applied.filter((a) => a.key === accepted.key)).toHaveLength(1);
  await context.close();
});
