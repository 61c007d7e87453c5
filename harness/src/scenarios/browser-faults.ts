/**
 * Faults only a browser has (`browser:` faults of an experiment file, `BROWSER_ACTIONS`): a tab
 * reloaded mid-flight, a renderer or the whole browser killed, the sending tab closed while others
 * stay, the network gone. The Nemesis plays them on the clients that can take them (`landed-browser`),
 * beside the proxy faults, and records them in the History like every other fault; the same Checker
 * judges the run. The scenarios built on them are in `harness/experiments/browser.yaml`.
 */
import type { Fault } from './faults.ts';

/** A client the Nemesis can play browser faults on (`landed-browser`). */
export interface BrowserFaultTarget {
  /** Resolves once a write is on the wire (so a fault lands mid-flight), or at `deadline` (epoch ms). */
  busy(deadline: number): Promise<void>;
  /** Starts (`start`) or ends (`stop`) a browser fault; the client plays its faults one at a time. */
  browserFault(fault: Extract<Fault, { kind: 'browser' }>, phase: 'start' | 'stop'): Promise<void>;
}

export function isBrowserFaultTarget<T>(value: T): value is T & BrowserFaultTarget {
  return typeof (value as Partial<BrowserFaultTarget> | null)?.browserFault === 'function';
}
