/**
 * `landed-browser` clients for real: Landed's browser build in Debian's Chromium (IndexedDB outbox,
 * Web Locks), through the real Toxiproxy to the real reference app on SQLite, under each browser
 * fault. Small size (one browser client, 15 writes, a 3 s window: about 10 s a scenario) so CI stays
 * quick; the Checker's counters are the verdict, as for every other client kind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIOLATIONS } from '../src/checker/check.ts';
import type { History } from '../src/checker/history.ts';
import { LANDED_BROWSER } from '../src/clients/browser/LandedBrowserRunner.ts';
import { BROWSER_SCENARIOS, type BrowserScenarioName } from '../src/scenarios/browser-faults.ts';
import { type BrowserScenarioRun, runBrowserScenario } from '../src/scenarios/browser-scenario.ts';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';

let toxiproxy: ToxiproxyServer;
let workDir: string;

beforeAll(async () => {
  toxiproxy = await startToxiproxy({ root: resolve(import.meta.dirname, '../..') });
  workDir = mkdtempSync(join(tmpdir(), 'landed-browser-chaos-'));
}, 60_000);

afterAll(async () => {
  await toxiproxy?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const run = (name: BrowserScenarioName) =>
  runBrowserScenario(
    BROWSER_SCENARIOS[name],
    { clients: 1, writes: 15, windowMs: 3_000, drainMs: 30_000 },
    { toxiproxy, workDir },
  );

function expectClean(result: BrowserScenarioRun): void {
  const v = result.verdicts.find((x) => x.client === LANDED_BROWSER);
  expect(v?.writes).toBe(15);
  expect(v?.confirmed).toBe(15);
  // Each counter with its example write ids, so a failure says which writes to look up.
  const violations = Object.fromEntries(VIOLATIONS.map((k) => [k, v?.[k] ? v.examples[k] : 0]));
  expect(violations).toEqual(Object.fromEntries(VIOLATIONS.map((k) => [k, 0])));
}

/** Writes accepted while a fault of that name was on. */
function acceptedDuring(history: History, fault: string): number {
  let on = false;
  let n = 0;
  for (const op of history) {
    if (op.type === 'fault' && op.name === fault) on = op.phase === 'start';
    else if (on && op.type === 'enqueue') n++;
  }
  return n;
}

describe('landed-browser under browser faults (real Chromium, Toxiproxy, reference app)', () => {
  it('tab-reload: three reloads with writes on the wire; each write lands once, none is lost or left', async () => {
    const result = await run('tab-reload');
    expect(result.reloads).toBe(3);
    expectClean(result);
  }, 120_000);

  it('tab-crash: two renderer crashes and a SIGKILLed browser relaunched on its profile; each write lands once', async () => {
    const result = await run('tab-crash');
    expect(result.browserCrashes).toBe(3);
    expectClean(result);
  }, 120_000);

  it('multi-tab: three tabs of one origin, the sending tab closed three times; each write lands once', async () => {
    const result = await run('multi-tab');
    expect(result.leaderCloses).toBe(3);
    expectClean(result);
  }, 120_000);

  it('offline: writes accepted while offline wait and land once when the browser is back', async () => {
    const result = await run('offline');
    expect(acceptedDuring(result.history, 'browser offline')).toBeGreaterThan(0);
    expectClean(result);
  }, 120_000);
});
