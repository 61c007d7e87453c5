import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type AppServer, startAppServer } from '../../client/test/browser/support/app-server.ts';
import { launchChromium } from '../../client/test/browser/support/chromium.ts';
import { ready } from '../../client/test/browser/support/page-api.ts';

const pages = { console: new URL('./pages/console.ts', import.meta.url).pathname };
// Screenshots go to docs/images only when asked (`LANDED_SCREENSHOTS=1`), so test runs leave the tree clean.
const images =
  process.env.LANDED_SCREENSHOTS === '1'
    ? new URL('../../../docs/images/', import.meta.url).pathname
    : join(tmpdir(), 'landed-console-');
// What the page shows follows the client by a render; the bound only ends a wait that never would.
const POLL = { timeout: 30_000 };
let server: AppServer;
let browser: Browser;

type Api = {
  write(order: string): Promise<string>;
  state(key: string): string | undefined;
  nextAttemptAt(key: string): number | undefined;
  flush(): Promise<void>;
  refresh(): Promise<void>;
};
const write = (page: Page, order: string) =>
  page.evaluate((o) => (globalThis as unknown as { t: Api }).t.write(o), order);
const stateOf = (page: Page, key: string) =>
  page.evaluate((k) => (globalThis as unknown as { t: Api }).t.state(k), key);
async function waitForState(page: Page, key: string, state: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await stateOf(page, key)) !== state) {
    if (Date.now() > deadline)
      throw new Error(`entry ${key} never became ${state} (is ${await stateOf(page, key)})`);
    await page.waitForTimeout(50);
  }
  await page.evaluate(() => (globalThis as unknown as { t: Api }).t.refresh());
}

beforeAll(async () => {
  mkdirSync(dirname(`${images}x`), { recursive: true });
  server = await startAppServer(pages);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('the console lists writes by state, shows a history, and "Replay" on an expired write lands it exactly once', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 820 } });
  await page.goto(`${server.url}/console?name=museum&retention=1`);
  await ready(page);

  const paired = await write(page, 'PEN-1');
  await waitForState(page, paired, 'confirmed');
  server.mode = 'reject';
  const refused = await write(page, 'TICKET-2');
  await waitForState(page, refused, 'rejected');
  server.mode = 'down'; // the pen-pairing service is down: no answer at all
  const lost = await write(page, 'PEN-3');
  await waitForState(page, lost, 'expired');
  server.mode = 'protocol';
  expect(server.applied.filter((a) => a.key === lost)).toHaveLength(0);

  const table = page.getByRole('table', { name: 'Outbox' });
  await expect.poll(() => table.locator('tbody tr').count(), POLL).toBe(3);
  const row = (label: string) =>
    table.locator('tbody tr', { has: page.getByRole('rowheader', { name: label }) });
  await expect.poll(() => row('order PEN-3').locator('.state').textContent(), POLL).toBe('expired');
  expect(await row('order TICKET-2').locator('.state').textContent()).toBe('rejected');
  expect(await row('order TICKET-2').locator('td.error').textContent()).toMatch(/400/);
  expect(await page.getByRole('status').first().textContent()).toMatch(/2 need attention/);
  await page.locator('landed-console').screenshot({ path: `${images}console-overview.png` });

  // Filter with the keyboard: the select is labelled "Show".
  await page.getByLabel('Show').focus();
  await page.keyboard.press('ArrowDown'); // "Needs attention"
  await expect.poll(() => table.locator('tbody tr').count(), POLL).toBe(2);

  await page.getByRole('button', { name: 'History order PEN-3' }).click();
  const history = page.getByRole('region', { name: 'History of order PEN-3' });
  await expect.poll(() => history.locator('li[data-type="attempt"]').count(), POLL).toBeGreaterThanOrEqual(1);
  expect(await history.textContent()).toMatch(/NETWORK/);
  expect(await page.getByRole('button', { name: 'History order PEN-3' }).getAttribute('aria-expanded')).toBe(
    'true',
  );
  await page.locator('landed-console').screenshot({ path: `${images}console-history.png` });

  // "Retry now" does not apply to a settled write; "Replay" does. Reach it by keyboard and press Enter.
  expect(await page.getByRole('button', { name: 'Retry now order PEN-3' }).isDisabled()).toBe(true);
  const replay = page.getByRole('button', { name: 'Replay order PEN-3' });
  await replay.focus();
  await page.keyboard.press('Enter');
  await waitForState(page, lost, 'confirmed');
  expect(server.applied.filter((a) => a.key === lost)).toHaveLength(1);
  // Whatever the client would still send of it now has been sent once nothing is in flight or due.
  await page.evaluate(() => (globalThis as unknown as { t: Api }).t.flush());
  expect(server.applied.filter((a) => a.key === lost)).toHaveLength(1);
  expect(await page.getByText('Replaying order PEN-3 with its original key.').count()).toBe(1);

  // Discard the refused one: it leaves the list, and the log keeps what happened.
  await page.getByRole('button', { name: 'Discard order TICKET-2' }).click();
  await expect.poll(() => row('order TICKET-2').count(), POLL).toBe(0);
  await page.getByLabel('Show').selectOption('all');
  await expect.poll(() => table.locator('tbody tr').count(), POLL).toBe(2);
  expect(await page.getByRole('region', { name: 'Log' }).textContent()).toMatch(/discarded by a person/);
  await page.locator('landed-console').screenshot({ path: `${images}console-after-replay.png` });
  await page.close();
});

test('"Retry now" sends a write waiting out a long backoff at once', async () => {
  const page = await browser.newPage();
  // An hour of backoff (half of it at least, with jitter): a confirmation within the test can only
  // come from the button, however slow the machine.
  await page.goto(`${server.url}/console?name=retry&backoff=3600000`);
  await ready(page);
  server.mode = 'down';
  const key = await write(page, 'PEN-9');
  await waitForState(page, key, 'uncertain');
  server.mode = 'protocol';
  const due = await page.evaluate((k) => (globalThis as unknown as { t: Api }).t.nextAttemptAt(k), key);
  expect(due).toBeGreaterThan(Date.now() + 25 * 60_000);
  await page.getByRole('button', { name: 'Retry now order PEN-9' }).click();
  await waitForState(page, key, 'confirmed');
  expect(Date.now()).toBeLessThan(due as number);
  expect(server.applied.filter((a) => a.key === key)).toHaveLength(1);
  await page.close();
});

test('"Replay" pressed in a tab that is not the sender: the sending tab lands it, once, and both tabs show it', async () => {
  const context = await browser.newContext();
  const url = `${server.url}/console?name=two-desks&retention=1`;
  const sender = await context.newPage();
  await sender.goto(url);
  await ready(sender);
  const other = await context.newPage();
  await other.goto(url);
  await ready(other);

  server.mode = 'down';
  const key = await write(sender, 'PEN-5');
  await waitForState(sender, key, 'expired');
  await waitForState(other, key, 'expired');
  server.mode = 'protocol';

  await other.getByRole('button', { name: 'Replay order PEN-5' }).click();
  await waitForState(sender, key, 'confirmed');
  await waitForState(other, key, 'confirmed');
  expect(server.applied.filter((a) => a.key === key)).toHaveLength(1);
  await context.close();
});
