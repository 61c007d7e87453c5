/**
 * A peer library under test in a Chromium page: one browser context per client instance (its own
 * IndexedDB, localStorage and locks, as a separate person's browser), the page loaded from the
 * scenario's PageOrigin so its writes cross Toxiproxy. The page sends its History ops back through a
 * binding; what it has not answered when the drain ends is recorded `unresolved`.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type Op, principalOf } from '../../checker/history.ts';
import type { PageOrigin } from '../browser/PageOrigin.ts';
import type { ClientRunner, Record } from '../runner.ts';
import type { PlannedWrite } from '../workload.ts';

export interface BrowserPageRunnerOptions {
  kind: string;
  /** The page's name at the origin (`/<page>.html`). */
  page: string;
  instance: number;
  /** A fresh context of this browser (closed with the runner)… */
  browser?: Browser;
  /** …or a page in this context (the caller owns it, e.g. a browser on an on-disk profile). */
  context?: BrowserContext;
  origin: PageOrigin;
  record: Record;
  /** Called after the page is up, before the workload (e.g. to wait for a service worker). */
  onPage?: (page: Page, context: BrowserContext) => Promise<void>;
}

interface PeerApi {
  run(writes: PlannedWrite[], spreadMs: number): Promise<void>;
  drain(timeoutMs: number): Promise<void>;
}

export class BrowserPageRunner implements ClientRunner {
  readonly kind: string;
  readonly instance: number;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly #record: Record;
  readonly #open = new Set<string>();
  readonly #answered = new Set<string>();
  /** The page's last error, if it broke (shown in the drain's unresolved count, and here). */
  pageError: string | undefined;

  readonly #ownsContext: boolean;

  private constructor(options: BrowserPageRunnerOptions, context: BrowserContext, page: Page) {
    this.#ownsContext = options.context === undefined;
    this.kind = options.kind;
    this.instance = options.instance;
    this.#record = options.record;
    this.context = context;
    this.page = page;
  }

  static async open(options: BrowserPageRunnerOptions): Promise<BrowserPageRunner> {
    const context = options.context ?? (await options.browser?.newContext());
    if (!context) throw new Error('BrowserPageRunner.open(): needs a browser or a context');
    const page = await context.newPage();
    const runner = new BrowserPageRunner(options, context, page);
    await page.exposeBinding('__landedRecord', (_source, op: Op) => runner.#onOp(op));
    page.on('pageerror', (error) => {
      runner.pageError = error.message;
    });
    const principal = principalOf(options.kind, options.instance);
    const query = new URLSearchParams({ kind: options.kind, principal });
    await page.goto(`${options.origin.url}/${options.page}.html?${query}`);
    await options.onPage?.(page, context);
    try {
      await page.waitForFunction(() => document.title === 'ready', null, { timeout: 30_000 });
    } catch (cause) {
      await runner.close();
      throw new Error(`the ${options.kind} page did not start: ${runner.pageError ?? 'no error reported'}`, {
        cause,
      });
    }
    return runner;
  }

  #onOp(op: Op): void {
    if (op.type === 'enqueue' && !this.#answered.has(op.writeId)) this.#open.add(op.writeId);
    if (op.type === 'verdict') {
      this.#answered.add(op.writeId);
      this.#open.delete(op.writeId);
    }
    this.#record(op);
  }

  async run(writes: readonly PlannedWrite[], spreadMs: number): Promise<void> {
    // As JSON text: the workload's body type is too deep for Playwright's serialisable-argument type.
    await this.page.evaluate(
      ([json, ms]) => (globalThis as unknown as { peer: PeerApi }).peer.run(JSON.parse(json), ms),
      [JSON.stringify(writes), spreadMs] as const,
    );
  }

  async drain(timeoutMs: number): Promise<void> {
    await this.page
      .evaluate((ms) => (globalThis as unknown as { peer: PeerApi }).peer.drain(ms), timeoutMs)
      .catch(() => {});
    for (const writeId of this.#open)
      this.#record({ type: 'verdict', at: Date.now(), client: this.kind, writeId, verdict: 'unresolved' });
    this.#open.clear();
  }

  async close(): Promise<void> {
    await (this.#ownsContext ? this.context.close() : this.page.close()).catch(() => {});
  }
}
