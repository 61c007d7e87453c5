import type { Page } from 'playwright-core';

/** Waits (bounded) until the element `selector` shows exactly `text`, as a person would read it. */
export async function waitForText(
  page: Page,
  selector: string,
  text: string,
  timeout = 30_000,
): Promise<void> {
  try {
    await page.waitForFunction(
      ([s, t]) => document.querySelector(s as string)?.textContent === t,
      [selector, text] as const,
      { timeout, polling: 50 },
    );
  } catch (error) {
    const shown = await page
      .locator(selector)
      .first()
      .textContent({ timeout: 1_000 })
      .catch(() => null);
    throw new Error(`${selector} never showed "${text}" (it shows ${JSON.stringify(shown)})`, {
      cause: error,
    });
  }
}

/** Waits until the page's `window.t` is there (the page sets its title to `ready`). */
export async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => document.title === 'ready', null, { timeout: 30_000 });
}

/** Calls `window.t[name](...args)` in the page. */
export function call<T>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([n, a]) => {
      const api = (globalThis as unknown as { t: Record<string, (...v: unknown[]) => unknown> }).t;
      return api[n as string]?.(...(a as unknown[])) as T;
    },
    [name, args] as const,
  );
}

/** The ids of the writes the page lists, in order. */
export const listedIds = (page: Page): Promise<string[]> =>
  page.$$eval('[data-testid=writes] li', (items) => items.map((item) => item.getAttribute('data-id') ?? ''));

/** Waits (bounded) until the page's client has `count` `subscribe()` listeners (`window.t.listeners()`). */
export async function waitForListeners(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => (globalThis as unknown as { t: { listeners(): number } }).t.listeners() === n,
    count,
    { timeout: 30_000, polling: 50 },
  );
}
