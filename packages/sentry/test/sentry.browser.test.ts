import { expect, test } from 'vitest';
import { useChromiumApp } from '../../client/test/browser/support/fixture.ts';
import { ready } from '../../client/test/browser/support/page-api.ts';

const pages = { app: new URL('./pages/app.ts', import.meta.url).pathname };
const SECRETS = [
  'CARD-SECRET',
  'AUTH-SECRET',
  'Bearer',
  'COOKIE-SECRET',
  'QUERY-SECRET',
  'URL-SECRET',
  'apikey',
  'authorization',
];

const app = useChromiumApp(pages);

interface SentryEvent {
  message?: string | { formatted?: string };
  level?: string;
  tags?: Record<string, string>;
  contexts?: { landed?: Record<string, unknown> };
  breadcrumbs?: Array<{ category?: string; message?: string; data?: Record<string, unknown> }>;
  request?: { url?: string; headers?: Record<string, string> };
}

/** Parses Sentry envelopes (newline-separated JSON: envelope header, then item header + payload pairs). */
function eventsIn(envelopes: string[]): SentryEvent[] {
  const events: SentryEvent[] = [];
  for (const envelope of envelopes) {
    const lines = envelope.split('\n').filter((line) => line.trim() !== '');
    for (let i = 1; i + 1 < lines.length; i += 2) {
      const header = JSON.parse(lines[i] as string) as { type?: string };
      if (header.type === 'event') events.push(JSON.parse(lines[i + 1] as string) as SentryEvent);
    }
  }
  return events;
}

const landedEvents = () => eventsIn(app.server.envelopes).filter((e) => e.tags?.['landed.kind']);
const textOf = (e: SentryEvent) => (typeof e.message === 'string' ? e.message : (e.message?.formatted ?? ''));

type PageApi = {
  write(id: string): Promise<string>;
  reported(): Array<{ state: string; reported: string[] }>;
  leader(): boolean;
  flushSentry(): Promise<boolean>;
};

test('the real Sentry SDK receives one event per refused and per expired write, tagged, with attempts, and no secrets', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/app?name=sentry`);
  await ready(page);

  app.server.mode = 'reject';
  await page.evaluate(() =>
    (globalThis as unknown as { t: { write(id: string): Promise<string> } }).t.write('ORD-1'),
  );
  await app.server.waitFor(() => landedEvents().length >= 1, 'the rejected event');

  app.server.mode = 'down';
  await page.evaluate(() =>
    (globalThis as unknown as { t: { write(id: string): Promise<string> } }).t.write('ORD-2'),
  );
  await app.server.waitFor(() => landedEvents().length >= 2, 'the expired event');
  app.server.mode = 'protocol';
  await page.evaluate(() =>
    (globalThis as unknown as { t: { captureAppError(): void } }).t.captureAppError(),
  );
  await app.server.waitFor(() => eventsIn(app.server.envelopes).length >= 3, 'the app event');

  // A reload reports nothing again: each entry is reported once. The mark that says so is stored once
  // Sentry has taken the event, so the reload comes once both marks are in, not after some time.
  await page.waitForFunction(() =>
    (globalThis as unknown as { t: PageApi }).t.reported().every((e) => e.reported.includes(e.state)),
  );
  await page.reload();
  await ready(page);
  // The reloaded tab catches up on anything not reported yet as it takes the lock, before its first
  // attempt: once the event of a write refused after the reload is in (and the SDK has sent all it
  // was given), a second report of either earlier write would be in too.
  await page.waitForFunction(() => (globalThis as unknown as { t: PageApi }).t.leader());
  app.server.mode = 'reject';
  await page.evaluate(() => (globalThis as unknown as { t: PageApi }).t.write('ORD-3'));
  await app.server.waitFor(
    () => landedEvents().some((e) => textOf(e).includes('ORD-3')),
    'the event of the write refused after the reload',
  );
  expect(await page.evaluate(() => (globalThis as unknown as { t: PageApi }).t.flushSentry())).toBe(true);
  app.server.mode = 'protocol';

  const events = landedEvents().filter((e) => !textOf(e).includes('ORD-3'));
  expect(events).toHaveLength(2);
  expect(landedEvents()).toHaveLength(3);
  const rejected = events.find((e) => e.tags?.['landed.kind'] === 'rejected');
  const expired = events.find((e) => e.tags?.['landed.kind'] === 'expired');
  expect(rejected?.level).toBe('error');
  expect(rejected?.tags).toMatchObject({
    'landed.state': 'rejected',
    'landed.attempts': '1',
    'landed.lane': 'default',
    'landed.status': '400',
  });
  expect(rejected?.message).toMatch(/order ORD-1/);
  expect(rejected?.contexts?.landed).toMatchObject({
    url: `${app.server.url}/api/orders`,
    method: 'POST',
    included: { 'body.orderId': 'ORD-1' },
  });
  expect(rejected?.breadcrumbs?.map((b) => [b.category, b.data?.status])).toEqual([['landed.attempt', 400]]);

  expect(expired?.tags).toMatchObject({
    'landed.state': 'expired',
    'landed.lane': 'default',
    'landed.status': 'none',
  });
  const attempts = Number(expired?.tags?.['landed.attempts']);
  expect(attempts).toBeGreaterThanOrEqual(1);
  // Every attempt went unanswered; then, past the window with no lookup route, it expired.
  const crumbs = expired?.breadcrumbs ?? [];
  expect(crumbs.filter((b) => b.category === 'landed.attempt').map((b) => b.data?.errorCode)).toEqual(
    Array(attempts).fill('NETWORK'),
  );
  expect(crumbs.at(-1)?.category).toBe('landed.lookup');

  // The app's own event went through landedBeforeSend: its URLs lost their query strings.
  const appEvent = eventsIn(app.server.envelopes).find((e) => !e.tags?.['landed.kind']);
  expect(appEvent?.request?.url).toBe(`${app.server.url}/app`);

  for (const envelope of app.server.envelopes) {
    for (const secret of SECRETS) expect(envelope, `envelope leaks ${secret}`).not.toContain(secret);
    expect(envelope).not.toContain('"card"');
  }
  await context.close();
});

test("a burst of refused writes reaches Sentry whole: one event each, none dropped by the SDK's send queue", async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.server.url}/app?name=sentry-burst`);
  await ready(page);
  // A remote Sentry answers in ~150 ms, and the browser SDK keeps at most 40 envelopes in flight: a
  // reporter that hands it more at once loses the rest (a `queue_overflow` client report, nothing else).
  app.server.envelopeDelayMs = 150;
  app.server.mode = 'reject';
  const before = landedEvents().length;
  const BURST = 120;
  await page.evaluate(
    (count) =>
      (globalThis as unknown as { t: { writeMany(p: string, n: number): Promise<void> } }).t.writeMany(
        'BURST',
        count,
      ),
    BURST,
  );
  try {
    await app.server.waitFor(
      () => landedEvents().length - before >= BURST,
      `${BURST} events for ${BURST} refused writes`,
      45_000,
    );
  } finally {
    app.server.envelopeDelayMs = 0;
    app.server.mode = 'protocol';
  }
  const ids = landedEvents()
    .slice(before)
    .map((e) => e.contexts?.landed?.id);
  expect(new Set(ids).size).toBe(BURST);
  await context.close();
});
