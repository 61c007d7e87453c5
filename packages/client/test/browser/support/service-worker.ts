import type { BrowserContext, Page, Worker } from 'playwright-core';

/** What `pages/sw-worker.ts` records: each sync event it received and how its drain ended. */
export interface Drain {
  tag: string;
  result?: string;
}

/**
 * Fires a Background Sync event on the origin's service worker the way the browser does when the
 * network returns, through CDP (`ServiceWorker.dispatchSyncEvent`). CDP's ServiceWorker domain lives on
 * page targets (a browser session does not have it), so `page` may be any page of the context, an
 * `about:blank` one included: it reports the registrations of every origin in the context.
 */
export async function dispatchSync(page: Page, origin: string, tag: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const scope = `${origin}/`;
  const registrationId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no service worker registration for ${scope}`)), 40_000);
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const found = registrations.find((r) => r.scopeURL === scope && !r.isDeleted);
      if (!found) return;
      clearTimeout(timer);
      resolve(found.registrationId);
    });
    cdp.send('ServiceWorker.enable').catch(reject);
  });
  await cdp.send('ServiceWorker.dispatchSyncEvent', { origin, registrationId, tag, lastChance: false });
  await cdp.detach();
}

/** The context's running service worker (Playwright's handle on it works with no page open). */
export function currentWorker(context: BrowserContext): Worker {
  const worker = context.serviceWorkers().at(-1);
  if (!worker) throw new Error('no service worker is running in this context');
  return worker;
}

/** Polls the running worker until its recorded drains satisfy `check` (bounded). */
export async function waitForDrains(
  context: BrowserContext,
  check: (drains: Drain[]) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<Drain[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const drains = await currentWorker(context)
      .evaluate(() => (globalThis as unknown as { drains: Drain[] }).drains)
      .catch(() => [] as Drain[]);
    if (check(drains)) return drains;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(drains)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
