import type { Page } from 'playwright-core';

/** What `pages/outbox.ts` exposes as `window.t`, as the tests see it. */
export interface PageEntry {
  id: string;
  key: string;
  state: string;
  attempts: number;
  body?: string;
  outcome?: { state: string; status?: number; replayed?: boolean; reason?: string };
  principal?: string;
  parked?: boolean;
}

export type WriteResult = { id: string; key: string } | { error: string; message: string };

type Api = {
  write(body: unknown, lane?: string): Promise<WriteResult>;
  entries(): PageEntry[];
  summary(): { leader: boolean; waiting: number; text: string };
  outcomes: Record<string, PageEntry['outcome']>;
};

export async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => document.title === 'ready', null, { timeout: 40_000 });
}

export const pageWrite = (page: Page, body: unknown): Promise<WriteResult> =>
  page.evaluate(([b]) => (globalThis as unknown as { t: Api }).t.write(b), [body] as const);

export const pageEntries = (page: Page): Promise<PageEntry[]> =>
  page.evaluate(() => (globalThis as unknown as { t: Api }).t.entries());

export const pageSummary = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { t: Api }).t.summary());

export const pageOutcomes = (page: Page) =>
  page.evaluate(() => ({ ...(globalThis as unknown as { t: Api }).t.outcomes }));

/** Polls the page until `check` holds for its entries (bounded). */
export async function waitForEntries(
  page: Page,
  check: (entries: PageEntry[]) => boolean,
  what: string,
  timeoutMs = 40_000,
): Promise<PageEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await pageEntries(page);
    if (check(entries)) return entries;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(entries.map((e) => e.state))}`);
    await page.waitForTimeout(50);
  }
}
