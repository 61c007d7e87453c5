/**
 * The tabs of one browser client: a Chromium on its own profile, one origin (the page origin that
 * forwards `/api/*` to the proxy), and the browser faults done to them — reload, renderer crash, whole
 * browser SIGKILLed and relaunched, the sending tab closed, offline. While a fault has tabs down,
 * `take()` waits; every page load is handed to `onLoad` (the runner reads the outbox there).
 */
import type { Page, Route } from 'playwright-core';
import type { Fault } from '../../scenarios/faults.ts';
import type { PageOp } from './landed-page.ts';
import { crashRenderer, ProfileBrowser } from './ProfileBrowser.ts';

export interface BrowserTabsOptions {
  userDataDir: string;
  /** The app's page, with its configuration. */
  url: string;
  /** Every op a page posts (`landedOp` binding). */
  onOp: (op: PageOp) => void;
  /** After each load, reload, crash or relaunch, before the tab takes writes. */
  onLoad: (page: Page) => Promise<void>;
  /** A tab opened or a write handed back. */
  onChange: () => void;
}

const isAppShell = (url: URL) => !url.pathname.startsWith('/api/');
async function serveAppShell(route: Route): Promise<void> {
  const response = await fetch(route.request().url()).catch(() => undefined);
  if (!response) return route.abort();
  await route.fulfill({
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: Buffer.from(await response.arrayBuffer()),
  });
}

export class BrowserTabs {
  readonly #o: BrowserTabsOptions;
  #browser: ProfileBrowser;
  /** Live tabs, ready to take writes. */
  #tabs: Page[] = [];
  /** Writes in hand on each tab (a tab is closed only once it has none). */
  readonly #inHand = new Map<Page, number>();
  #next = 0;
  /** Set while a fault has tabs down; resolves once they are back and loaded. */
  #recovering: Promise<void> | undefined;
  #faults: Promise<void> = Promise.resolve();
  #offline = false;
  crashes = 0;
  reloads = 0;
  /** Tabs closed while they held the Web Lock (each hands sending to another tab). */
  leaderCloses = 0;

  private constructor(o: BrowserTabsOptions, browser: ProfileBrowser) {
    this.#o = o;
    this.#browser = browser;
  }

  /** Starts Chromium on the profile and opens one tab (throws `CHROMIUM_NOT_STARTED`). */
  static async open(o: BrowserTabsOptions): Promise<BrowserTabs> {
    const tabs = new BrowserTabs(o, await ProfileBrowser.launch({ userDataDir: o.userDataDir }));
    await tabs.#attach();
    await tabs.openTab();
    return tabs;
  }

  async #attach(): Promise<void> {
    await this.#browser.context.exposeBinding('landedOp', (_source, op: PageOp) => this.#o.onOp(op));
    if (this.#offline) await this.#applyOffline();
  }

  /** Set while a fault has tabs down. */
  get recovering(): Promise<void> | undefined {
    return this.#recovering;
  }

  get count(): number {
    return this.#tabs.length;
  }

  /** The next tab in turn for a write, once no fault has the tabs down; `release()` it after. */
  async take(): Promise<Page | undefined> {
    await this.#recovering;
    const page = this.#tabs[this.#next++ % this.#tabs.length];
    if (page) this.#inHand.set(page, (this.#inHand.get(page) ?? 0) + 1);
    return page;
  }

  release(page: Page): void {
    this.#inHand.set(page, (this.#inHand.get(page) ?? 1) - 1);
    for (const wake of this.#released) wake();
    this.#o.onChange();
  }

  readonly #released = new Set<() => void>();

  /** Opens one more tab of the origin. */
  async openTab(): Promise<Page> {
    const page = await this.#browser.context.newPage();
    await page.goto(this.#o.url);
    await ready(page);
    await this.#o.onLoad(page);
    this.#tabs.push(page);
    this.#inHand.set(page, 0);
    this.#o.onChange();
    return page;
  }

  /** A browser fault of a schedule, played once the ones before it have finished. */
  play(fault: Extract<Fault, { kind: 'browser' }>, phase: 'start' | 'stop'): Promise<void> {
    const run = async () => {
      if (phase === 'stop') {
        if (fault.action === 'offline') await this.setOffline(false);
        if (fault.action === 'close-leader') await this.openTab();
        return;
      }
      switch (fault.action) {
        case 'reload-tabs':
          return this.reloadTabs();
        case 'crash-tabs':
          return this.crashTabs();
        case 'kill-browser':
          return this.killBrowser();
        case 'close-leader':
          return this.closeLeader();
        case 'offline':
          return this.setOffline(true);
        case 'tabs':
          while (this.#tabs.length < (fault.tabs ?? 1)) await this.openTab();
      }
    };
    const next = this.#faults.then(run);
    this.#faults = next.catch(() => {});
    return next;
  }

  /** Runs a fault that takes tabs down; `take()` waits until it is over. */
  async #disrupt(fault: () => Promise<void>): Promise<void> {
    let done!: () => void;
    const previous = this.#recovering;
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.#recovering = mine;
    try {
      await previous;
      await fault();
    } finally {
      // A fault that failed half-way must not leave the client without a tab to write from.
      if (this.#tabs.length === 0) await this.openTab().catch(() => {});
      done();
      // A fault that started meanwhile (it waited for this one) keeps the writes waiting for itself.
      if (this.#recovering === mine) this.#recovering = undefined;
    }
  }

  /** Reloads every tab (a person pressing F5 mid-flight): the outbox resumes from IndexedDB. */
  reloadTabs(): Promise<void> {
    return this.#disrupt(async () => {
      for (const page of this.#tabs) {
        await page.reload();
        await ready(page);
        await this.#o.onLoad(page);
        this.reloads++;
      }
    });
  }

  /** Kills the renderer of every tab (CDP `Page.crash`) and opens the app again in new tabs. */
  crashTabs(): Promise<void> {
    return this.#disrupt(async () => {
      const crashed = this.#tabs.splice(0);
      for (const page of crashed) {
        await crashRenderer(page);
        await page.close().catch(() => {});
        this.#inHand.delete(page);
        this.crashes++;
      }
      for (const _ of crashed) await this.openTab();
    });
  }

  /** SIGKILLs the whole browser, starts it again on the same profile and reopens the tabs. */
  killBrowser(): Promise<void> {
    return this.#disrupt(async () => {
      const count = Math.max(1, this.#tabs.length);
      this.#tabs = [];
      this.#inHand.clear();
      await this.#browser.kill();
      this.crashes++;
      this.#browser = await ProfileBrowser.launch({ userDataDir: this.#o.userDataDir });
      await this.#attach();
      for (let i = 0; i < count; i++) await this.openTab();
    });
  }

  /** Closes the tab that holds the Web Lock (the sender) once it has no write in hand; another takes over. */
  async closeLeader(): Promise<void> {
    if (this.#tabs.length < 2) return;
    let leader: Page | undefined;
    for (const page of this.#tabs)
      if (await page.evaluate(() => (globalThis as PageGlobal).landed.leader())) leader = page;
    const page = leader ?? (this.#tabs[0] as Page);
    if (leader) this.leaderCloses++;
    // Out of the rotation first, then closed when no write of the harness is waiting on it.
    this.#tabs = this.#tabs.filter((p) => p !== page);
    while ((this.#inHand.get(page) ?? 0) > 0)
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#released.delete(wake);
          resolve();
        };
        this.#released.add(wake);
      });
    this.#inHand.delete(page);
    await page.close();
  }

  /**
   * Takes the whole browser off the network (`navigator.onLine` false, every write fails) or back on.
   * The app's own pages still load while offline, as an app shell a service worker caches would: the
   * harness answers them itself, so a reload or a crash during an outage reopens the app.
   */
  async setOffline(offline: boolean): Promise<void> {
    this.#offline = offline;
    await this.#applyOffline();
  }

  async #applyOffline(): Promise<void> {
    const context = this.#browser.context;
    await context.setOffline(this.#offline);
    if (this.#offline) await context.route(isAppShell, serveAppShell);
    else await context.unroute(isAppShell, serveAppShell);
  }

  async close(): Promise<void> {
    await this.#browser.close();
  }
}

// Inside page.evaluate(): the function is sent as text, so it names the page global itself.
type PageGlobal = typeof globalThis & { landed: { leader(): boolean } };

function ready(page: Page): Promise<unknown> {
  return page.waitForFunction(() => document.title === 'ready', null, { timeout: 30_000 });
}
