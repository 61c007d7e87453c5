/**
 * What the Nemesis can do, as plain data (so fast-check can generate it, the JSON report can carry
 * it and a failing schedule can be printed): Toxiproxy toxics and outages between client and app or
 * app and database, server fault hooks, and client process kills.
 */
import type { FaultSetting } from '../app/fault-switch.ts';
import type { ToxicSpec } from '../toxiproxy/ProxyControl.ts';

export type ProxyTarget = 'app' | 'db';

export type Fault =
  | { kind: 'toxic'; target: ProxyTarget; toxic: ToxicSpec }
  | { kind: 'down'; target: ProxyTarget }
  | { kind: 'server'; setting: FaultSetting }
  | { kind: 'kill-clients' };

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
  }
}

/** The faults `mixed` and `random` draw from, given what the stack has. */
export function faultMenu(options: { postgres: boolean; serverFaults: boolean }): Fault[] {
  const app = (toxic: ToxicSpec): Fault => ({ kind: 'toxic', target: 'app', toxic });
  const menu: Fault[] = [
    app({ kind: 'latency', stream: 'downstream', attributes: { latency: 300, jitter: 100 } }),
    app({ kind: 'latency', stream: 'upstream', attributes: { latency: 200, jitter: 50 } }),
    app({ kind: 'timeout', stream: 'downstream', attributes: { timeout: 400 } }),
    app({ kind: 'timeout', stream: 'upstream', attributes: { timeout: 400 } }),
    app({ kind: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 }, toxicity: 0.5 }),
    app({ kind: 'reset_peer', stream: 'downstream', attributes: { timeout: 20 }, toxicity: 0.5 }),
    app({ kind: 'limit_data', stream: 'downstream', attributes: { bytes: 120 }, toxicity: 0.5 }),
    app({ kind: 'limit_data', stream: 'upstream', attributes: { bytes: 200 }, toxicity: 0.5 }),
    app({
      kind: 'slicer',
      stream: 'downstream',
      attributes: { average_size: 16, size_variation: 8, delay: 2_000 },
    }),
    app({ kind: 'bandwidth', stream: 'downstream', attributes: { rate: 2 } }),
    { kind: 'down', target: 'app' },
  ];
  if (options.serverFaults) {
    menu.push(
      { kind: 'server', setting: { kind: '500-before-commit', rate: 0.3 } },
      { kind: 'server', setting: { kind: '500-after-commit', rate: 0.3 } },
      { kind: 'server', setting: { kind: 'exit-after-commit', rate: 0.05 } },
      { kind: 'server', setting: { kind: 'slow:800', rate: 0.3 } },
    );
  }
  if (options.postgres) {
    menu.push(
      {
        kind: 'toxic',
        target: 'db',
        toxic: { kind: 'latency', stream: 'downstream', attributes: { latency: 150, jitter: 50 } },
      },
      { kind: 'down', target: 'db' },
    );
  }
  return menu;
}
