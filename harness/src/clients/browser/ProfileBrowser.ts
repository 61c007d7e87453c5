/**
 * A Chromium (the one `chromium.ts` names, with its flags) on a profile directory of its own, so
 * IndexedDB, service workers and caches live on disk as in a person's browser. The process is started here (not by playwright) and playwright-core connects to it
 * over CDP, so the harness owns the process: `kill()` is a SIGKILL of the whole browser — nothing
 * flushed, nothing said goodbye — and `ProfileBrowser.launch()` on the same `userDataDir` is the relaunch.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { killOnExit } from '../../kill-on-exit.ts';
import { HarnessError } from '../../toxiproxy/errors.ts';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.ts';

export interface ProfileBrowserOptions {
  /** The profile: what survives a kill or a close (IndexedDB, service workers) lives here. */
  userDataDir: string;
  /** @default CHROMIUM_PATH or /usr/bin/chromium */
  executablePath?: string;
  /** How long the browser may take to start. @default 30_000 */
  startTimeoutMs?: number;
}

export class ProfileBrowser {
  readonly userDataDir: string;
  readonly browser: Browser;
  /** The profile's own context: every page opened in it shares one origin storage, across relaunches. */
  readonly context: BrowserContext;
  readonly #process: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(userDataDir: string, browser: Browser, child: ChildProcess, exited: Promise<void>) {
    this.userDataDir = userDataDir;
    this.browser = browser;
    this.#process = child;
    this.#exited = exited;
    const context = browser.contexts()[0];
    if (!context) throw new Error('Chromium started without its default context');
    this.context = context;
  }

  /**
   * Starts Chromium on `userDataDir` (created if missing). A browser that cannot start throws
   * `CHROMIUM_NOT_STARTED`, saying which executable was tried and what to do.
   */
  static async launch({
    userDataDir,
    executablePath = chromiumPath(),
    startTimeoutMs = 30_000,
  }: ProfileBrowserOptions) {
    mkdirSync(userDataDir, { recursive: true });
    const unavailable = (why: string, cause?: unknown) =>
      new HarnessError(
        'CHROMIUM_NOT_STARTED',
        `Chromium could not start from ${executablePath} (${why}): install it (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome executable.`,
        { cause },
      );
    const child = spawn(
      executablePath,
      [
        ...CHROMIUM_ARGS,
        '--remote-debugging-port=0',
        `--user-data-dir=${userDataDir}`,
        '--no-first-run',
        '--no-default-browser-check',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    killOnExit(child);
    let stderr = '';
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(unavailable(`no DevTools endpoint after ${startTimeoutMs} ms`));
      }, startTimeoutMs);
      child.stderr?.on('data', (chunk: Buffer) => {
        if (stderr.length < 20_000) stderr += chunk.toString('utf8');
        const found = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(unavailable((error as NodeJS.ErrnoException).code ?? error.message, error));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const last = stderr.trim().split('\n').at(-1)?.slice(0, 200);
        reject(unavailable(`exited with ${signal ?? code}${last ? `: ${last}` : ''}`));
      });
    });
    // Keep draining stderr so a chatty browser never blocks on a full pipe.
    child.stderr?.removeAllListeners('data');
    child.stderr?.resume();
    try {
      const browser = await chromium.connectOverCDP(endpoint);
      return new ProfileBrowser(userDataDir, browser, child, exited);
    } catch (cause) {
      child.kill('SIGKILL');
      throw unavailable('playwright-core could not connect to it', cause);
    }
  }

  get running(): boolean {
    return this.#process.exitCode === null && this.#process.signalCode === null;
  }

  /** SIGKILL of the browser process (every tab, the network service, storage): a crash. */
  async kill(): Promise<void> {
    if (this.running) this.#process.kill('SIGKILL');
    await this.#exited;
  }

  /** Closes the browser the way a person quits it; kills it if it does not go within 5 s. */
  async close(): Promise<void> {
    if (!this.running) return;
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), 5_000);
    await this.browser.close().catch(() => this.#process.kill('SIGKILL'));
    await this.#exited;
    clearTimeout(timer);
  }
}

/** A CDP session on one page (e.g. `ServiceWorker.dispatchSyncEvent`, `Storage.*`, `Page.crash`). */
export function cdpSession(page: Page): Promise<CDPSession> {
  return page.context().newCDPSession(page);
}

/**
 * Kills the page's renderer process (CDP `Page.crash`): the tab dies mid-flight without unload
 * handlers, as an out-of-memory tab does. Resolves once playwright has seen the crash; the page is
 * unusable afterwards (open a new one).
 */
export async function crashRenderer(page: Page): Promise<void> {
  const crashed = new Promise<void>((resolve) => {
    page.once('crash', () => resolve());
    page.once('close', () => resolve());
  });
  const session = await cdpSession(page);
  // The renderer dies before it can answer: this call never resolves.
  void session.send('Page.crash').catch(() => {});
  await crashed;
}
