import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type AppServer, type AppServerOptions, startAppServer } from './app-server.ts';
import { launchChromium } from './chromium.ts';

export interface ChromiumApp {
  readonly server: AppServer;
  readonly browser: Browser;
}

/** A loopback app server and a Chromium for the tests of one file, closed after them. */
export function useChromiumApp(pages: Record<string, string>, options: AppServerOptions = {}): ChromiumApp {
  let server: AppServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startAppServer(pages, options);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useChromiumApp(): used outside a test');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get browser() {
      return started(browser);
    },
  };
}

/**
 * Takes the context offline (`navigator.onLine` false, the write endpoint unreachable) while its pages
 * can still be loaded: they are fetched from the test server by the test itself, so a reload works.
 */
export async function goOffline(context: BrowserContext): Promise<void> {
  await context.setOffline(true);
  await context.route(
    (url) => !url.pathname.startsWith('/api/'),
    async (route) => {
      const response = await fetch(route.request().url());
      await route.fulfill({
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: Buffer.from(await response.arrayBuffer()),
      });
    },
  );
}
