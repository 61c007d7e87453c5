/**
 * The scenarios only a fleet has: one instance dying while it holds keys, every retry landing on
 * another instance while the first attempt is still running, and PostgreSQL cut from one instance
 * only. Windows are fractions of the workload window, as in the single-app catalog.
 */
import type { ClientOptions } from '@landed/client';
import type { FaultSetting } from '../app/fault-switch.ts';
import type { ToxicSpec } from '../toxiproxy/ProxyControl.ts';
import type { HAProxyConfigOptions } from './haproxy-config.ts';

export const FLEET_SCENARIO_NAMES = ['instance-kill', 'split-retry', 'db-failover-ish'] as const;
export type FleetScenarioName = (typeof FLEET_SCENARIO_NAMES)[number];

/** A fault on one instance of the fleet (`instance` is taken modulo the fleet's size). */
export type FleetFault =
  /** Waits until the instance has a keyed write inside its handler (key claimed, transaction open), then SIGKILLs it; it is restarted at once on the same port. */
  | { kind: 'kill-instance'; instance: number }
  | { kind: 'instance-db-toxic'; instance: number; toxic: ToxicSpec }
  /** The instance's PostgreSQL proxy down: its open connections are cut and new ones refused. */
  | { kind: 'instance-db-down'; instance: number }
  | { kind: 'instance-server'; instance: number; setting: FaultSetting };

export interface FleetStep {
  from: number;
  to: number;
  fault: FleetFault;
}

export interface FleetScenario {
  name: FleetScenarioName;
  proves: string;
  routing: NonNullable<HAProxyConfigOptions['routing']>;
  /** Overrides for the Landed clients (and the naive client's attempt timeout, kept the same). */
  client?: Pick<ClientOptions, 'timeoutMs'>;
  steps: FleetStep[];
}

const windows = (fault: FleetFault, ...spans: [number, number][]): FleetStep[] =>
  spans.map(([from, to]) => ({ from, to, fault }));

export const FLEET_SCENARIOS: Record<FleetScenarioName, FleetScenario> = {
  'instance-kill': {
    name: 'instance-kill',
    proves:
      'an instance SIGKILLed mid-handler while it holds keys loses nothing and doubles nothing: its open transactions roll back, the other instances answer 409 until its locks go stale, then take the keys over',
    routing: 'round-robin',
    steps: [
      // A slow database on that instance keeps its handlers in flight, so every kill lands inside one.
      ...windows(
        {
          kind: 'instance-db-toxic',
          instance: 0,
          toxic: { kind: 'latency', stream: 'downstream', attributes: { latency: 200, jitter: 50 } },
        },
        [0, 0.9],
      ),
      // Two kills: a restarted instance takes a second or two to listen again (Node, then its pool).
      ...windows({ kind: 'kill-instance', instance: 0 }, [0.15, 0.3], [0.55, 0.7]),
    ],
  },
  'split-retry': {
    name: 'split-retry',
    proves:
      'a retry that lands on another instance while the first attempt is still in its handler gets 409 with Retry-After, never a second effect',
    // Attempt n goes to instance n mod N: every retry meets another instance than the attempt before.
    routing: 'attempt',
    // Shorter than the slow handler, shorter than the 2 s lock timeout: the client gives up on the first
    // attempt and retries elsewhere while the first instance still holds the key.
    client: { timeoutMs: 600 },
    steps: windows(
      { kind: 'instance-server', instance: 1, setting: { kind: 'slow:1200', rate: 1 } },
      [0.05, 0.85],
    ),
  },
  'db-failover-ish': {
    name: 'db-failover-ish',
    proves:
      'PostgreSQL cut from one instance only: that instance answers 5xx with nothing half-written, retries reach the others, and every write lands once',
    routing: 'round-robin',
    steps: [
      ...windows(
        {
          kind: 'instance-db-toxic',
          instance: 0,
          toxic: { kind: 'latency', stream: 'downstream', attributes: { latency: 100, jitter: 30 } },
        },
        [0.1, 0.7],
      ),
      ...windows({ kind: 'instance-db-down', instance: 0 }, [0.25, 0.45], [0.6, 0.7]),
    ],
  },
};

export function fleetFaultLabel(fault: FleetFault): string {
  const at = `app${fault.instance}`;
  switch (fault.kind) {
    case 'kill-instance':
      return `SIGKILL ${at} mid-handler`;
    case 'instance-db-toxic': {
      const attrs = Object.entries(fault.toxic.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return `${fault.toxic.kind} ${fault.toxic.stream} (db of ${at}) ${attrs}`;
    }
    case 'instance-db-down':
      return `database cut from ${at}`;
    case 'instance-server':
      return `${fault.setting.kind} ${Math.round(fault.setting.rate * 100)}% on ${at}`;
  }
}
