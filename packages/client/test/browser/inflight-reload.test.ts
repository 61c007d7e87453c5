import { expect, test } from 'vitest';
import { useChromiumApp } from './support/fixture.ts';
import { type PageEntry, ready, waitForEntries } from './support/page-api.ts';

const pages = { outbox: new URL('./pages/outbox.ts', import.meta.url).pathname };
const app = useChromiumApp(pages);

const allConfirmed = (count: number) => (entries: PageEntry[]) =>
  entries.length === count && entries.every((e) => e.state === 'confirmed');

test('a reload while applied writes wait for their answers: after it each is confirmed by replay, none applied twice', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=inflight`);
  await ready(page);

  app.server.mode = 'hold'; // applies, then never answers: the answers are lost with the page
  const keys = await page.evaluate(async () => {
    const t = (globalThis as unknown as { t: { write(b: unknown, lane: string): Promise<{ key: string }> } })
      .t;
    // Separate lanes so all three are on the wire at once.
    return Promise.all([1, 2, 3].map(async (n) => (await t.write({ seat: n }, `lane-${n}`)).key));
  });
  await app.server.waitForApplied(3);
  app.server.mode = 'protocol';

  await page.reload();
  app.server.dropHeld();
  await ready(page);
  const settled = await waitForEntries(page, allConfirmed(3), 'three confirmed entries');
  for (const entry of settled)
    expect(entry.outcome).toMatchObject({ state: 'confirmed', status: 201, replayed: true });
  expect(app.server.applied.map((a) => a.key).sort()).toEqual([...keys].sort());
  // Every re-send after the reload carried the original key and was answered from the server's store.
  const resent = app.server.seen.slice(3);
  expect(resent.length).toBeGreaterThanOrEqual(3);
  expect(new Set(resent.map((s) => s.key))).toEqual(new Set(keys));
  await context.close();
});

test('answers dropped by the network after the server applied: retried with the same key, confirmed once', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/outbox?name=dropped`);
  await ready(page);
  const before = app.server.applied.length;

  app.server.mode = 'drop'; // applies, then destroys the socket
  const { key } = await page.evaluate(() =>
    (globalThis as unknown as { t: { write(b: unknown): Promise<{ key: string }> } }).t.write({
      pen: 'P-18383769',
    }),
  );
  await app.server.waitFor(() => app.server.applied.length > before, 'the write to be applied');
  app.server.mode = 'protocol';
  const [entry] = await waitForEntries(page, allConfirmed(1), 'the entry to be confirmed');
  expect(entry?.outcome).toMatchObject({ state: 'confirmed', replayed: true });
  expect(app.server.applied.filter((a) => a.key === key)).toHaveLength(1);
  await context.close();
});
