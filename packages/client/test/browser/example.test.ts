import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Museum, startMuseum } from '../../../../docs/examples/museum/server.ts';
import { launchChromium } from './support/chromium.ts';

// The example app of docs/examples/museum runs as documented: the three packages together in Chromium
// against @landed/server.
let museum: Museum;
let browser: Browser;

beforeAll(async () => {
  museum = await startMuseum(0);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await museum?.close();
});

test('the museum desk pairs pens through the outbox, survives a lost answer, and shows it all in the console', async () => {
  const page = await browser.newPage();
  await page.goto(museum.url);
  const table = page.getByRole('table', { name: 'Outbox' });
  await page.getByRole('button', { name: 'Pair pen' }).click();
  await expect
    .poll(() => table.locator('tbody tr .state').allTextContents(), { timeout: 30_000 })
    .toEqual(['confirmed']);

  await page.getByRole('button', { name: 'Lose the next answer' }).click();
  await page.getByLabel('Ticket').fill('T-1002');
  await page.getByLabel('Pen').fill('P-78');
  await page.getByRole('button', { name: 'Pair pen' }).click();
  await expect
    .poll(() => table.locator('tbody tr .state').allTextContents(), { timeout: 30_000 })
    .toEqual(['confirmed', 'confirmed']);
  expect(museum.pairings.map((p) => p.pen)).toEqual(['P-77', 'P-78']);
  expect(await page.locator('#summary').textContent()).toBe('All writes landed');
  await page.close();
});
