import type { BrowserContext, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { useChromiumApp } from './support/fixture.ts';
import {
  type PageEntry,
  pageEntries,
  pageSummary,
  pageWrite,
  ready,
  waitForEntries,
} from './support/page-api.ts';

// Two tabs of one origin share one outbox: what one tab does must show, and take effect, in the other.
const pages = { outbox: new URL('./pages/outbox.ts', import.meta.url).pathname };
const app = useChromiumApp(pages);

type Api = {
  tab: string;
  discard(id: string): Promise<string>;
  retryNow(id: string): Promise<string>;
  summary(): { leader: boolean; rejected: number; uncertain: number; waiting: number };
};
const api = <R>(page: Page, call: (t: Api, id: string) => R, id = '') =>
  page.evaluate(
    ([source, i]) =>
      new Function('t', 'id', `return (${source})(t, id)`)((globalThis as unknown as { t: Api }).t, i),
    [call.toString(), id] as const,
  ) as Promise<Awaited<R>>;

async function twoTabs(context: BrowserContext, query: string): Promise<{ leader: Page; follower: Page }> {
  const url = `${app.server.url}/outbox?${query}`;
  const leader = await context.newPage();
  await leader.goto(url);
  await ready(leader);
  await leader.waitForFunction(() => (globalThis as unknown as { t: Api }).t.summary().leader);
  const follower = await context.newPage();
  await follower.goto(url);
  await ready(follower);
  expect((await pageSummary(follower)).leader).toBe(false);
  return { leader, follower };
}

const only = (id: string, state: string) => (entries: PageEntry[]) =>
  entries.length === 1 && entries[0]?.id === id && entries[0].state === state;
const gone = (id: string) => (entries: PageEntry[]) => !entries.some((e) => e.id === id);

async function rejectedInBoth(leader: Page, follower: Page, from: Page): Promise<string> {
  app.server.mode = 'reject';
  const written = (await pageWrite(from, { seats: 2 })) as { id: string };
  await waitForEntries(leader, only(written.id, 'rejected'), 'the leader to see it rejected');
  await waitForEntries(follower, only(written.id, 'rejected'), 'the follower to see it rejected');
  app.server.mode = 'protocol';
  return written.id;
}

test('an entry the sending tab discards disappears from the other tab too (list and summary)', async () => {
  const context = await app.browser.newContext();
  const { leader, follower } = await twoTabs(context, 'name=removed-by-leader');
  const id = await rejectedInBoth(leader, follower, follower);
  expect((await api(follower, (t) => t.summary())).rejected).toBe(1);

  expect(await api(leader, (t, i) => t.discard(i), id)).toBe('ok');
  await waitForEntries(leader, gone(id), 'the leader to drop it');
  await waitForEntries(follower, gone(id), 'the follower to drop it');
  expect((await api(follower, (t) => t.summary())).rejected).toBe(0);
  await context.close();
});

test('"Discard" in a tab that does not send is carried out by the sending tab: gone from both, and from the store', async () => {
  const context = await app.browser.newContext();
  const { leader, follower } = await twoTabs(context, 'name=discard-in-follower');
  const id = await rejectedInBoth(leader, follower, leader);

  // Resolves once the entry is gone, not merely once the request was passed on.
  expect(await api(follower, (t, i) => t.discard(i), id)).toBe('ok');
  expect(await pageEntries(follower)).toEqual([]);
  await waitForEntries(leader, gone(id), 'the leader to drop it');
  expect((await api(leader, (t) => t.summary())).rejected).toBe(0);

  // The store agrees: a new tab finds nothing.
  const third = await context.newPage();
  await third.goto(`${app.server.url}/outbox?name=discard-in-follower`);
  await ready(third);
  expect(await pageEntries(third)).toEqual([]);
  await context.close();
});

test('"Discard" in a tab that does not send is refused when the sending tab is sending it', async () => {
  const context = await app.browser.newContext();
  const { leader, follower } = await twoTabs(context, 'name=discard-refused&backoffMs=60000');
  app.server.mode = 'down';
  const written = (await pageWrite(follower, { n: 1 })) as { id: string };
  await waitForEntries(follower, only(written.id, 'uncertain'), 'the follower to see it uncertain');
  // It may have applied: no tab may discard it, and the leader keeps it.
  expect(await api(follower, (t, i) => t.discard(i), written.id)).toBe('INVALID_STATE');
  await waitForEntries(leader, only(written.id, 'uncertain'), 'the leader to keep it');
  app.server.mode = 'protocol';
  await context.close();
});

test('"Retry now" in a tab that does not send makes the sending tab send at once, past its backoff', async () => {
  const context = await app.browser.newContext();
  // A minute of backoff: without the hand-over, nothing would be sent during the test.
  const { leader, follower } = await twoTabs(context, 'name=retry-in-follower&backoffMs=60000');
  const leaderTab = await api(leader, (t) => t.tab);
  app.server.mode = 'down';
  const written = (await pageWrite(follower, { n: 1 })) as { id: string; key: string };
  await waitForEntries(leader, only(written.id, 'uncertain'), 'the leader to see it uncertain');
  await waitForEntries(follower, only(written.id, 'uncertain'), 'the follower to see it uncertain');
  app.server.mode = 'protocol';
  const attemptsBefore = app.server.seen.length;

  expect(await api(follower, (t, i) => t.retryNow(i), written.id)).toBe('ok');
  await app.server.waitForApplied(1);
  await waitForEntries(follower, only(written.id, 'confirmed'), 'the follower to see it confirmed');
  await waitForEntries(leader, only(written.id, 'confirmed'), 'the leader to see it confirmed');
  const retried = app.server.seen.slice(attemptsBefore);
  expect(retried.map((s) => s.key)).toEqual([written.key]);
  expect(retried[0]?.headers['x-test-tab']).toBe(leaderTab);
  await context.close();
});

test('with a store given by the app, the other tab is told of each change only once the store has it', async () => {
  const context = await app.browser.newContext();
  const { leader, follower } = await twoTabs(context, 'name=given-store&store=given');
  const written = await Promise.all(Array.from({ length: 12 }, (_, n) => pageWrite(follower, { n })));
  await app.server.waitForApplied(12);
  const confirmed = (entries: PageEntry[]) =>
    entries.length === 12 && entries.every((e) => e.state === 'confirmed');
  await waitForEntries(leader, confirmed, 'the leader to see 12 confirmed');
  // No later notice would correct a follower that read an entry before it was saved.
  await waitForEntries(follower, confirmed, 'the follower to see 12 confirmed');
  expect((await pageEntries(follower)).map((e) => e.id).sort()).toEqual(
    written.map((w) => (w as { id: string }).id).sort(),
  );
  await context.close();
});

test('logout in a tab that does not send parks the writes in the sending tab: not sent until the user is back', async () => {
  const context = await app.browser.newContext();
  const { leader, follower } = await twoTabs(
    context,
    'name=park-in-follower&principal=alice&backoffMs=60000',
  );
  const call = <R>(page: Page, source: string) =>
    page.evaluate(
      (code) => new Function('t', `return ${code}`)((globalThis as unknown as { t: Api }).t),
      source,
    ) as Promise<R>;
  app.server.mode = 'down';
  const written = [
    (await pageWrite(follower, { who: 'alice', n: 1 })) as { id: string; key: string },
    (await pageWrite(follower, { who: 'alice', n: 2 })) as { id: string; key: string },
  ];
  // The sending tab tried the first (the second waits behind it in the lane) and it waits out a
  // one-minute backoff. Both are merely queued before that attempt too: the logout must not race it.
  await waitForEntries(
    leader,
    (list) =>
      list.length === 2 &&
      list.some((e) => e.attempts >= 1) &&
      list.every((e) => e.state === 'uncertain' || e.state === 'queued'),
    'the leader to have tried the first and to hold both',
  );
  await call(follower, "t.logout('park')");
  await waitForEntries(
    leader,
    (list) => list.length === 2 && list.every((e) => e.parked),
    'the leader to park them',
  );
  expect((await pageEntries(follower)).every((e) => e.parked)).toBe(true);

  // The sending tab, still signed in as alice, sends its own new write, and not the parked ones.
  app.server.mode = 'protocol';
  const before = app.server.applied.length;
  const own = (await pageWrite(leader, { who: 'alice', n: 3 })) as { key: string };
  await app.server.waitForApplied(before + 1);
  // Once the sending tab has sent all it may (nothing in flight or due), the parked ones are not among it.
  await call(leader, 't.flush()');
  expect(app.server.applied.slice(before).map((a) => a.key)).toEqual([own.key]);

  // Alice signs in again in the other tab: the sending tab unparks and sends them.
  await call(follower, "t.setPrincipal('alice')");
  await app.server.waitForApplied(before + 3);
  expect(new Set(app.server.applied.slice(before + 1).map((a) => a.key))).toEqual(
    new Set(written.map((w) => w.key)),
  );
  await context.close();
});
