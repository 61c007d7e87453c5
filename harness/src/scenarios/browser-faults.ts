/**
 * Faults only a browser has, and the scenarios built on them: a tab reloaded mid-flight, a renderer
 * or the whole browser killed, the sending tab closed while others stay, the network gone. Each is
 * played on the `landed-browser` runners of a scenario, beside the proxy faults the Nemesis plays, and
 * recorded in the History like every other fault; the same Checker judges the run.
 */
import type { LandedBrowserRunner } from '../clients/browser/LandedBrowserRunner.ts';
import type { Record as RecordOp } from '../clients/runner.ts';
import { sleep } from '../clients/runner.ts';
import type { FaultStep } from './faults.ts';

export type BrowserFault = 'reload-tabs' | 'crash-tabs' | 'kill-browser' | 'close-leader' | 'offline';

/** At `at` (a fraction of the window) the fault starts; `offline` lasts until `until`, a closed tab is replaced then. */
export interface BrowserStep {
  at: number;
  until?: number;
  fault: BrowserFault;
}

export const BROWSER_SCENARIO_NAMES = ['tab-reload', 'tab-crash', 'multi-tab', 'offline'] as const;
export type BrowserScenarioName = (typeof BROWSER_SCENARIO_NAMES)[number];

export interface BrowserScenario {
  name: BrowserScenarioName;
  proves: string;
  /** Tabs of the one origin each browser client opens. */
  tabs: number;
  /** Proxy faults played beside the browser ones (the Nemesis's schedule). */
  steps: FaultStep[];
  browserSteps: BrowserStep[];
}

export function isBrowserScenario(name: string): name is BrowserScenarioName {
  return (BROWSER_SCENARIO_NAMES as readonly string[]).includes(name);
}

/** Answers take 250±100 ms, so a tab going down always has attempts on the wire. */
const slowAnswers: FaultStep = {
  from: 0,
  to: 1,
  fault: {
    kind: 'toxic',
    target: 'app',
    toxic: { kind: 'latency', stream: 'downstream', attributes: { latency: 250, jitter: 100 } },
  },
};

export const BROWSER_SCENARIOS: Record<BrowserScenarioName, BrowserScenario> = {
  'tab-reload': {
    name: 'tab-reload',
    proves: 'a tab reloaded with writes on the wire resumes its outbox from IndexedDB: each lands once',
    tabs: 1,
    steps: [slowAnswers],
    browserSteps: [0.2, 0.45, 0.7].map((at) => ({ at, fault: 'reload-tabs' as const })),
  },
  'tab-crash': {
    name: 'tab-crash',
    proves: 'a killed renderer, then a SIGKILLed browser, lose nothing accepted and apply nothing twice',
    tabs: 1,
    steps: [slowAnswers],
    browserSteps: [
      { at: 0.2, fault: 'crash-tabs' },
      { at: 0.45, fault: 'kill-browser' },
      { at: 0.7, fault: 'crash-tabs' },
    ],
  },
  'multi-tab': {
    name: 'multi-tab',
    proves: 'three tabs of one origin write at once, one sends; closing the sender hands its writes on',
    tabs: 3,
    steps: [slowAnswers],
    browserSteps: [0.15, 0.4, 0.65].map((at) => ({ at, until: at + 0.15, fault: 'close-leader' as const })),
  },
  offline: {
    name: 'offline',
    proves: 'writes made while the browser is offline wait in the outbox and land once when it is back',
    tabs: 1,
    steps: [slowAnswers],
    browserSteps: [
      { at: 0.15, until: 0.45, fault: 'offline' },
      { at: 0.6, until: 0.8, fault: 'offline' },
    ],
  },
};

const LABELS: Record<BrowserFault, string> = {
  'reload-tabs': 'reload tabs',
  'crash-tabs': 'crash renderers',
  'kill-browser': 'SIGKILL browser',
  'close-leader': 'close sending tab',
  offline: 'browser offline',
};

/** How long past its time a fault waits for a client to have a write on the wire. */
const BUSY_GRACE_MS = 2_000;

/**
 * Plays `steps` on every runner over `windowMs`, one after another: a step starts at its time or once
 * the one before is over and undone, whichever is later (a tab closed is replaced before the next is
 * closed, however slow the machine). Resolves once the last is undone.
 */
export async function playBrowserFaults(
  steps: readonly BrowserStep[],
  windowMs: number,
  runners: readonly LandedBrowserRunner[],
  record: RecordOp,
): Promise<void> {
  const start = Date.now();
  for (const step of [...steps].sort((a, b) => a.at - b.at)) {
    await sleep(start + step.at * windowMs - Date.now());
    const name = LABELS[step.fault];
    record({ type: 'fault', at: Date.now(), phase: 'start', name });
    await Promise.all(
      runners.map(async (r) => {
        await r.busy(Date.now() + BUSY_GRACE_MS);
        await apply(step.fault, r);
      }),
    );
    if (step.until !== undefined) {
      await sleep(start + step.until * windowMs - Date.now());
      await Promise.all(runners.map((r) => undo(step.fault, r)));
    }
    record({ type: 'fault', at: Date.now(), phase: 'stop', name });
  }
}

function apply(fault: BrowserFault, r: LandedBrowserRunner): Promise<void> {
  switch (fault) {
    case 'reload-tabs':
      return r.reloadTabs();
    case 'crash-tabs':
      return r.crashTabs();
    case 'kill-browser':
      return r.killBrowser();
    case 'close-leader':
      return r.closeLeader();
    case 'offline':
      return r.setOffline(true);
  }
}

async function undo(fault: BrowserFault, r: LandedBrowserRunner): Promise<void> {
  if (fault === 'offline') await r.setOffline(false);
  if (fault === 'close-leader') await r.openTab();
}
