/**
 * The Chromium every browser client kind runs in: Debian's (or `CHROMIUM_PATH`), headless, through
 * playwright-core — never a downloaded browser. One per run, started the first time a browser kind
 * needs it, so a run without browser kinds never pays for it.
 */
import type { Browser } from 'playwright-core';
import { HarnessError } from '../../toxiproxy/errors.ts';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** Starts Chromium, or stops with `CHROMIUM_NOT_STARTED` saying what to install or set. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (cause) {
    throw new HarnessError(
      'PEER_NOT_INSTALLED',
      'browser client kinds need playwright-core: run npm ci (it is a devDependency of the repository root)',
      { cause },
    );
  }
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (cause) {
    const first = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
    throw new HarnessError(
      'CHROMIUM_NOT_STARTED',
      `Chromium at ${executablePath} did not start (${first}): install it (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary`,
      { cause },
    );
  }
}

/** A Chromium started on first use and closed once at the end of the run. */
export class SharedChromium {
  #browser: Promise<Browser> | undefined;

  get(): Promise<Browser> {
    this.#browser ??= launchChromium();
    return this.#browser;
  }

  async close(): Promise<void> {
    const browser = this.#browser;
    this.#browser = undefined;
    if (browser) await (await browser.catch(() => undefined))?.close();
  }
}
