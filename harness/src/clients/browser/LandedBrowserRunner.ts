/**
 * A `landed-browser` client under test: Landed's browser build in real Chromium tabs (one profile, one
 * origin per instance), writing through the harness's page origin and Toxiproxy to the app. The
 * History gets each enqueue once `write()` resolved in the page (durably in IndexedDB), every attempt
 * and final answer from the page's client events, and — after a reload, a crash or a relaunch —
 * every entry the reloaded outbox holds, as `LandedRunner.adoptOutbox()` does for a restarted process.
 * The browser faults themselves are `BrowserTabs`'s; the Nemesis plays them through `browserFault()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { principalOf } from '../../checker/history.ts';
import type { BrowserFaultTarget } from '../../scenarios/browser-faults.ts';
import type { Fault } from '../../scenarios/faults.ts';
import { CHAOS_CLIENT_DEFAULTS } from '../LandedRunner.ts';
import { type ClientRunner, type Record, receiptOf, sleep } from '../runner.ts';
import type { PlannedWrite } from '../workload.ts';
import { BrowserTabs } from './BrowserTabs.ts';
import type { FoundEntry, PageConfig, PageOp, PageWrite } from './landed-page.ts';
import { PageOrigin } from './PageOrigin.ts';

export const LANDED_BROWSER = 'landed-browser';
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
};
// Inside page.evaluate(): the function is sent as text, so it names the page global itself.
type PageGlobal = typeof globalThis & { landed: LandedApi };

export class LandedBrowserRunner implements ClientRunner, BrowserFaultTarget {
  readonly kind = LANDED_BROWSER;
  readonly instance: number;
  readonly #record: Record;
  #origin!: PageOrigin;
  #tabs!: BrowserTabs;
  #temporary: string | undefined;
  readonly #enqueued = new Set<string>();
  readonly #final = new Set<string>();
  readonly #attempts = new Set<string>();
  /** Writes accepted (or in hand) without a final answer yet. */
  readonly #open = new Set<string>();
  readonly #wake = new Set<() => void>();

  private constructor(o: LandedBrowserRunnerOptions) {
    this.instance = o.instance;
    this.#record = o.record;
  }

  /** Starts the page origin and Chromium, and opens one tab (throws `CHROMIUM_NOT_STARTED`). */
  static async open(o: LandedBrowserRunnerOptions): Promise<LandedBrowserRunner> {
    const runner = new LandedBrowserRunner(o);
    const config: PageConfig = {
      name: `chaos-${o.instance}`,
      principal: principalOf(LANDED_BROWSER, o.instance),
      timeoutMs: CHAOS_CLIENT_DEFAULTS.timeoutMs,
      backoffBaseMs: CHAOS_CLIENT_DEFAULTS.backoffBaseMs,
      backoffCapMs: CHAOS_CLIENT_DEFAULTS.backoffCapMs,
      retryBudget: CHAOS_CLIENT_DEFAULTS.retryBudget,
      ...o.client,
    };
    if (o.dir === undefined) runner.#temporary = mkdtempSync(join(tmpdir(), 'landed-browser-'));
    runner.#origin = await PageOrigin.open({ landed: { script: PAGE_SCRIPT } }, o.upstream);
    try {
      runner.#tabs = await BrowserTabs.open({
        userDataDir: join(o.dir ?? (runner.#temporary as string), `profile-${o.instance}`),
        url: `${runner.#origin.url}/landed.html?c=${encodeURIComponent(JSON.stringify(config))}`,
        onOp: (op) => runner.#onOp(op),
        onLoad: (page) => runner.#adopt(page),
        onChange: () => runner.#changedNow(),
      });
    } catch (error) {
      await runner.#origin.close();
      if (runner.#temporary) rmSync(runner.#temporary, { recursive: true, force: true });
      throw error;
    }
    return runner;
  }

  /** The tabs, and what the faults did to them (crashes, reloads, sending tabs closed). */
  get tabs(): BrowserTabs {
    return this.#tabs;
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
    this.#changedNow();
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
    const sent: PageWrite = { writeId: w.writeId, path: w.path, body: w.body, lane: w.lane };
    if (w.method) sent.method = w.method;
    for (let tries = 0; ; tries++) {
      const page = await this.#tabs.take();
      if (this.#enqueued.has(w.writeId)) {
        if (page) this.#tabs.release(page);
        return; // made durable before its tab went down
      }
      if (!page) throw new Error(`${LANDED_BROWSER}#${this.instance}: no tab open to write ${w.writeId}`);
      const at = Date.now();
      this.#open.add(w.writeId);
      const result = await page
        .evaluate((x) => (globalThis as PageGlobal).landed.write(x), sent)
        .catch((error: unknown) => error as Error);
      this.#tabs.release(page);
      if (result instanceof Error) {
        // The tab went down with the write in hand: once it is back, its outbox says whether it was kept.
        if (!this.#tabs.recovering && tries > 3) throw result;
        await sleep(this.#tabs.recovering ? 0 : 100);
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

  browserFault(fault: Extract<Fault, { kind: 'browser' }>, phase: 'start' | 'stop'): Promise<void> {
    return this.#tabs.play(fault, phase);
  }

  #changedNow(): void {
    for (const wake of this.#wake) wake();
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

  async drain(timeoutMs: number): Promise<void> {
    await this.#tabs.recovering;
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
    await this.#tabs.close();
    await this.#origin.close();
    if (this.#temporary) rmSync(this.#temporary, { recursive: true, force: true });
  }
}
