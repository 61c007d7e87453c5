/**
 * A `landed-browser` client under test: Landed's browser build in real Chromium tabs (one profile, one
 * origin per instance), writing through the harness's page origin and Toxiproxy to the app. The
 * History gets each enqueue once `write()` resolved in the page (durably in IndexedDB), every attempt
 * and final answer from the page's client events, and — after a reload, a crash or a relaunch —
 * every entry the reloaded outbox holds, as `LandedRunner.adoptOutbox()` does for a restarted process.
 *
 * The browser faults (`reloadTabs`, `crashTabs`, `killBrowser`, `closeLeader`, `openTab`, `setOffline`)
 * are methods here; the Nemesis plays them through `browserFault()` (`scenarios/browser-faults.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { principalOf } from '../../checker/history.ts';
import type { BrowserFaultTarget } from '../../scenarios/browser-faults.ts';
import type { Fault } from '../../scenarios/faults.ts';
import { CHAOS_CLIENT_DEFAULTS } from '../LandedRunner.ts';
import { type ClientRunner, type Record, receiptOf, sleep } from '../runner.ts';
import type { PlannedWrite } from '../workload.ts';
import type { FoundEntry, PageConfig, PageOp, PageWrite } from './landed-page.ts';
import { PageOrigin } from './PageOrigin.ts';
import { crashRenderer, ProfileBrowser } from './ProfileBrowser.ts';

export const LANDED_BROWSER = 'landed-browser';

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
const PAGE_SCRIPT = join(import.meta.dirname, 'landed-page.ts');

export interface LandedBrowserRunnerOptions {
  instance: number;
  /** Where writes go: the scenario's proxy in front of the app. */
  upstream: string;
  record: Record;
  /** The browser profile lives under it. @default a temporary folder, removed on close */
  dir?: string;
  client?: Partial<PageConfig>;
}

type LandedApi = {
  write(w: PageWrite): Promise<{ key: string } | { error: string }>;
  outbox(): Promise<FoundEntry[]>;
  leader(): boolean;
};
// Inside page.evaluate(): the function is sent as text, so it names the page global itself.
type PageGlobal = typeof globalThis & { landed: LandedApi };

export class LandedBrowserRunner implements ClientRunner, BrowserFaultTarget {
  readonly kind = LANDED_BROWSER;
  readonly instance: number;
  readonly #record: Record;
  readonly #origin: PageOrigin;
  readonly #url: string;
  readonly #profile: string;
  readonly #temporary: string | undefined;
  #browser: ProfileBrowser;
  /** Live tabs, ready to take writes. */
  #tabs: Page[] = [];
  /** Writes in hand on each tab (a tab is closed only once it has none). */
  readonly #inHand = new Map<Page, number>();
  #next = 0;
  /** Set while a fault has tabs down; resolves once they are back and the outbox was read again. */
  #recovering: Promise<void> | undefined;
  readonly #enqueued = new Set<string>();
  readonly #final = new Set<string>();
  readonly #attempts = new Set<string>();
  /** Writes accepted (or in hand) without a final answer yet. */
  readonly #open = new Set<string>();
  readonly #wake = new Set<() => void>();
  crashes = 0;
  reloads = 0;
  /** Tabs closed while they held the Web Lock (each hands sending to another tab). */
  leaderCloses = 0;

  private constructor(
    o: LandedBrowserRunnerOptions,
    origin: PageOrigin,
    browser: ProfileBrowser,
    temporary: string | undefined,
  ) {
    this.#temporary = temporary;
    this.instance = o.instance;
    this.#record = o.record;
    this.#origin = origin;
    this.#browser = browser;
    this.#profile = browser.userDataDir;
    const config: PageConfig = {
      name: `chaos-${o.instance}`,
      principal: principalOf(LANDED_BROWSER, o.instance),
      timeoutMs: CHAOS_CLIENT_DEFAULTS.timeoutMs,
      backoffBaseMs: CHAOS_CLIENT_DEFAULTS.backoffBaseMs,
      backoffCapMs: CHAOS_CLIENT_DEFAULTS.backoffCapMs,
      retryBudget: CHAOS_CLIENT_DEFAULTS.retryBudget,
      ...o.client,
    };
    this.#url = `${origin.url}/landed.html?c=${encodeURIComponent(JSON.stringify(config))}`;
  }

  /** Starts the page origin and Chromium, and opens one tab (throws `CHROMIUM_NOT_STARTED`). */
  static async open(o: LandedBrowserRunnerOptions): Promise<LandedBrowserRunner> {
    const temporary = o.dir === undefined ? mkdtempSync(join(tmpdir(), 'landed-browser-')) : undefined;
    const origin = await PageOrigin.open({ landed: { script: PAGE_SCRIPT } }, o.upstream);
    let browser: ProfileBrowser;
    try {
      browser = await ProfileBrowser.launch({
        userDataDir: join(o.dir ?? (temporary as string), `profile-${o.instance}`),
      });
    } catch (error) {
      await origin.close();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
      throw error;
    }
    const runner = new LandedBrowserRunner(o, origin, browser, temporary);
    await runner.#attach();
    await runner.openTab();
    return runner;
  }

  async #attach(): Promise<void> {
    await this.#browser.context.exposeBinding('landedOp', (_source, op: PageOp) => this.#onOp(op));
  }

  #onOp(op: PageOp): void {
    if (op.type === 'attempt') {
      // One attempt is heard once, by the tab that made it; the set only guards against a replay.
      const id = `${op.writeId}|${op.at}|${op.result}|${op.status}`;
      if (this.#attempts.has(id)) return;
      this.#attempts.add(id);
      this.#record({ ...op, client: LANDED_BROWSER });
      return;
    }
    // Every tab hears every final answer: the first one counts.
    if (this.#final.has(op.writeId)) return;
    this.#final.add(op.writeId);
    const { body, ...rest } = op;
    const receipt = receiptOf(body);
    this.#record({ ...rest, client: LANDED_BROWSER, ...(receipt === undefined ? {} : { receipt }) });
    this.#open.delete(op.writeId);
    for (const wake of this.#wake) wake();
  }

  /** Opens one more tab of the origin and reads its outbox (new entries are announced). */
  async openTab(): Promise<Page> {
    const page = await this.#browser.context.newPage();
    await page.goto(this.#url);
    await page.waitForFunction(() => document.title === 'ready', null, { timeout: 30_000 });
    await this.#adopt(page);
    this.#tabs.push(page);
    this.#inHand.set(page, 0);
    for (const wake of this.#wake) wake();
    return page;
  }

  /** Announces every entry the page's outbox holds that the History has not heard of. */
  async #adopt(page: Page): Promise<void> {
    for (const found of await page.evaluate(() => (globalThis as PageGlobal).landed.outbox())) {
      if (!this.#enqueued.has(found.writeId)) {
        this.#enqueued.add(found.writeId);
        this.#record({
          type: 'enqueue',
          at: found.createdAt,
          client: LANDED_BROWSER,
          writeId: found.writeId,
          key: found.key,
          payload: found.body === undefined ? null : JSON.parse(found.body),
        });
      }
      if (found.verdict) this.#onOp(found.verdict);
      else if (!this.#final.has(found.writeId)) this.#open.add(found.writeId);
    }
  }

  async run(writes: readonly PlannedWrite[], spreadMs: number): Promise<void> {
    const start = Date.now();
    const gap = writes.length > 1 ? spreadMs / writes.length : 0;
    for (const [i, w] of writes.entries()) {
      await sleep(start + i * gap - Date.now());
      await this.#write(w);
    }
  }

  async #write(w: PlannedWrite): Promise<void> {
    for (let tries = 0; ; tries++) {
      await this.#recovering;
      if (this.#enqueued.has(w.writeId)) return; // made durable before the tab went down
      const page = this.#tabs[this.#next++ % this.#tabs.length];
      if (!page) throw new Error(`${LANDED_BROWSER}#${this.instance}: no tab open to write ${w.writeId}`);
      const at = Date.now();
      this.#open.add(w.writeId);
      this.#inHand.set(page, (this.#inHand.get(page) ?? 0) + 1);
      const sent: PageWrite = { writeId: w.writeId, path: w.path, body: w.body, lane: w.lane };
      if (w.method) sent.method = w.method;
      const result = await page
        .evaluate((x) => (globalThis as PageGlobal).landed.write(x), sent)
        .catch((error: unknown) => error as Error);
      this.#inHand.set(page, (this.#inHand.get(page) ?? 1) - 1);
      for (const wake of this.#wake) wake();
      if (result instanceof Error) {
        // The tab went down with the write in hand: once it is back, its outbox says whether it was kept.
        if (!this.#recovering && tries > 3) throw result;
        await sleep(this.#recovering ? 0 : 100);
        continue;
      }
      if ('error' in result)
        throw new Error(`${LANDED_BROWSER}#${this.instance}: write() refused ${w.writeId}: ${result.error}`);
      if (this.#enqueued.has(w.writeId)) return;
      this.#enqueued.add(w.writeId);
      this.#record({
        type: 'enqueue',
        at,
        client: LANDED_BROWSER,
        writeId: w.writeId,
        key: result.key,
        payload: w.body,
      });
      return;
    }
  }

  /** Resolves once a write is in hand or accepted and unanswered (so a fault lands mid-flight), or at `deadline`. */
  async busy(deadline: number): Promise<void> {
    while (this.#open.size === 0 && Date.now() < deadline) await this.#changed(deadline - Date.now());
  }

  #changed(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wake.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, Math.min(timeoutMs, 1_000)));
      this.#wake.add(wake);
    });
  }

  /** Runs a fault that takes tabs down, with writes waiting until `reopen` has them back. */
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

  #faults: Promise<void> = Promise.resolve();

  /**
   * A browser fault of a schedule (the Nemesis's `browser:` faults), played after the ones before it
   * have finished, so a tab closed is replaced before the next is closed however slow the machine.
   */
  browserFault(fault: Extract<Fault, { kind: 'browser' }>, phase: 'start' | 'stop'): Promise<void> {
    const play = async () => {
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
    const next = this.#faults.then(play);
    this.#faults = next.catch(() => {});
    return next;
  }

  /** Reloads every tab (a person pressing F5 mid-flight): the outbox resumes from IndexedDB. */
  reloadTabs(): Promise<void> {
    return this.#disrupt(async () => {
      for (const page of this.#tabs) {
        await page.reload();
        await page.waitForFunction(() => document.title === 'ready', null, { timeout: 30_000 });
        await this.#adopt(page);
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
      this.#browser = await ProfileBrowser.launch({ userDataDir: this.#profile });
      await this.#attach();
      if (this.#offline) await this.#applyOffline();
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
    // Out of the rotation first, then closed when no write() of the harness is waiting on it.
    this.#tabs = this.#tabs.filter((p) => p !== page);
    while ((this.#inHand.get(page) ?? 0) > 0) await this.#changed(1_000);
    this.#inHand.delete(page);
    await page.close();
  }

  get tabs(): number {
    return this.#tabs.length;
  }

  #offline = false;

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

  async drain(timeoutMs: number): Promise<void> {
    await this.#recovering;
    const deadline = Date.now() + timeoutMs;
    while (this.#open.size > 0 && Date.now() < deadline) await this.#changed(deadline - Date.now());
    for (const writeId of this.#open)
      this.#record({
        type: 'verdict',
        at: Date.now(),
        client: LANDED_BROWSER,
        writeId,
        verdict: 'unresolved',
      });
    this.#open.clear();
  }

  /** Write ids still without a final answer. */
  get open(): number {
    return this.#open.size;
  }

  async close(): Promise<void> {
    await this.#browser.close();
    await this.#origin.close();
    if (this.#temporary) rmSync(this.#temporary, { recursive: true, force: true });
  }
}
