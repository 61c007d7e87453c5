/**
 * One scenario for `landed-browser` clients, end to end: a fresh stage (reference app behind a fresh
 * proxy), N browser clients (each its own Chromium profile and origin) on the museum workload while
 * the Nemesis plays the proxy faults and `playBrowserFaults` the browser ones, then heal, drain, read
 * the ledger directly and check — the same Checker as every other client kind.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ClientVerdict, check } from '../checker/check.ts';
import type { History, Op } from '../checker/history.ts';
import { LANDED_BROWSER, LandedBrowserRunner } from '../clients/browser/LandedBrowserRunner.ts';
import { museumWorkload } from '../clients/workload.ts';
import type { ToxiproxyServer } from '../toxiproxy/ToxiproxyServer.ts';
import { type BrowserScenario, type BrowserStep, playBrowserFaults } from './browser-faults.ts';
import type { FaultStep } from './faults.ts';
import { Nemesis } from './Nemesis.ts';
import type { RunSize } from './runScenario.ts';
import { openStage } from './Stage.ts';

export interface BrowserRunEnvironment {
  toxiproxy: ToxiproxyServer;
  workDir: string;
  postgresUrl?: string | undefined;
  onProgress?: (resolved: number, planned: number, faults: readonly string[]) => void;
}

export interface BrowserScenarioRun {
  name: string;
  steps: FaultStep[];
  browserSteps: BrowserStep[];
  verdicts: ClientVerdict[];
  history: History;
  startedAt: number;
  durationMs: number;
  appCrashes: number;
  /** Renderers and browsers killed. */
  browserCrashes: number;
  reloads: number;
  /** Sending tabs closed (leadership moved). */
  leaderCloses: number;
}

/** Runs a browser scenario of the catalogue (`tab-reload`, `tab-crash`, `multi-tab`, `offline`). */
export function runBrowserScenario(
  scenario: BrowserScenario,
  size: RunSize,
  env: BrowserRunEnvironment,
): Promise<BrowserScenarioRun> {
  return runBrowserClients(scenario.name, scenario.steps, scenario.browserSteps, size, env, scenario.tabs);
}

/** Browser clients on any schedule: proxy and server faults (`steps`) and browser faults. */
export async function runBrowserClients(
  name: string,
  steps: FaultStep[],
  browserSteps: BrowserStep[],
  size: RunSize,
  env: BrowserRunEnvironment,
  tabs = 1,
): Promise<BrowserScenarioRun> {
  const startedAt = Date.now();
  const history: History = [];
  const planned = size.clients * size.writes;
  let resolved = 0;
  const active: string[] = [];
  const record = (op: Op) => {
    history.push(op);
    if (op.type === 'fault') {
      if (op.phase === 'start') active.push(op.name);
      else if (active.includes(op.name)) active.splice(active.indexOf(op.name), 1);
      env.onProgress?.(resolved, planned, active);
    }
    if (op.type === 'verdict' && op.verdict !== 'unresolved') env.onProgress?.(++resolved, planned, active);
  };
  const stage = await openStage({
    toxiproxy: env.toxiproxy,
    workDir: env.workDir,
    postgresUrl: env.postgresUrl,
  });
  const runners: LandedBrowserRunner[] = [];
  try {
    for (let i = 0; i < size.clients; i++) {
      const dir = join(stage.dir, `${LANDED_BROWSER}-${i}`);
      mkdirSync(dir, { recursive: true });
      runners.push(
        await LandedBrowserRunner.open({ instance: i, upstream: stage.baseUrl, record, dir, tabs }),
      );
    }
    const nemesis = new Nemesis({ app: stage.appProxy, db: stage.dbProxy, server: stage.server }, record);
    try {
      await Promise.all([
        nemesis.play(steps, size.windowMs),
        playBrowserFaults(browserSteps, size.windowMs, runners, record),
        ...runners.map((r) => r.run(museumWorkload(r.kind, r.instance, size.writes), size.windowMs)),
      ]);
    } finally {
      await nemesis.heal();
      for (const r of runners) await r.setOffline(false).catch(() => {});
      await stage.server?.settled();
    }
    await Promise.all(runners.map((r) => r.drain(size.drainMs)));
    const verdicts = check(history, await stage.readLedger());
    return {
      name,
      steps,
      browserSteps,
      verdicts,
      history,
      startedAt,
      durationMs: Date.now() - startedAt,
      appCrashes: stage.crashes(),
      browserCrashes: runners.reduce((n, r) => n + r.crashes, 0),
      reloads: runners.reduce((n, r) => n + r.reloads, 0),
      leaderCloses: runners.reduce((n, r) => n + r.leaderCloses, 0),
    };
  } finally {
    for (const r of runners) await r.close().catch(() => {});
    await stage.close();
  }
}
