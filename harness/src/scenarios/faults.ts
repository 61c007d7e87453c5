/**
 * What the Nemesis can do, as plain data (so fast-check can generate it, the JSON report can carry
 * it and a failing schedule can be printed): Toxiproxy toxics and outages between client and app or
 * app and database, server fault hooks, and client process kills. Experiment files name them
 * (`experiment/schema-faults.ts`).
 */
import type { FaultSetting } from '../app/fault-switch.ts';
import { loadMuseum } from '../experiment/load.ts';
import type { ToxicSpec } from '../toxiproxy/ProxyControl.ts';

export type ProxyTarget = 'app' | 'db';

/**
 * Faults only a browser has, played on the browser clients of the run (`scenarios/browser-faults.ts`):
 * every tab reloaded, every renderer killed, the whole browser SIGKILLed and relaunched on its
 * profile, the sending tab closed (a new one opened when the window ends), the browser offline for the
 * window, or `tabs` tabs of the origin open from then on.
 */
export const BROWSER_ACTIONS = [
  'reload-tabs',
  'crash-tabs',
  'kill-browser',
  'close-leader',
  'offline',
  'tabs',
] as const;
export type BrowserAction = (typeof BROWSER_ACTIONS)[number];

export type Fault =
  | { kind: 'toxic'; target: ProxyTarget; toxic: ToxicSpec }
  | { kind: 'down'; target: ProxyTarget }
  | { kind: 'server'; setting: FaultSetting }
  | { kind: 'kill-clients' }
  | { kind: 'browser'; action: BrowserAction; tabs?: number };

/** One fault over part of the workload window (`from`, `to` are fractions of it). */
export interface FaultStep {
  from: number;
  to: number;
  fault: Fault;
}

export function faultLabel(fault: Fault): string {
  switch (fault.kind) {
    case 'toxic': {
      const attrs = Object.entries(fault.toxic.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const share =
        fault.toxic.toxicity !== undefined && fault.toxic.toxicity < 1
          ? ` ${Math.round(fault.toxic.toxicity * 100)}%`
          : '';
      return `${fault.toxic.kind} ${fault.toxic.stream}${fault.target === 'db' ? ' (db)' : ''} ${attrs}${share}`;
    }
    case 'down':
      return fault.target === 'db' ? 'database down' : 'proxy down';
    case 'server':
      return `${fault.setting.kind} ${Math.round(fault.setting.rate * 100)}%`;
    case 'kill-clients':
      return 'SIGKILL clients';
    case 'browser':
      return fault.action === 'tabs' ? `${fault.tabs ?? 1} tabs` : `browser ${fault.action}`;
  }
}

/**
 * The museum matrix's menu (harness/experiments/museum.yaml), which its `mixed` and `random` draw
 * from: the database faults only with PostgreSQL, the server faults only with fault hooks.
 */
export function faultMenu(options: { postgres: boolean; serverFaults: boolean }): Fault[] {
  return loadMuseum().menu.filter((f) =>
    f.kind === 'server'
      ? options.serverFaults
      : (f.kind === 'toxic' || f.kind === 'down') && f.target === 'db'
        ? options.postgres
        : true,
  );
}
