/**
 * Every scenario the harness runs, by the name the JSON report uses, with the fault schedule it
 * applies and what it proves. Windows are fractions of the workload window, so a scenario means the
 * same at 30 writes and at 10,000.
 */
import type { Fault, FaultStep } from './faults.ts';

export const SCENARIO_NAMES = [
  'latency',
  'timeout-downstream',
  'reset-upstream',
  'reset-downstream',
  'limit-data',
  'slicer',
  'outage',
  'http-500-before-commit',
  'http-500-after-commit',
  'crash-after-commit',
  'client-kill',
  'db-latency',
  'db-outage',
  'mixed',
  'random',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Scenario {
  name: ScenarioName;
  /** What passing it proves, in one sentence (the report and docs/harness.md print it). */
  proves: string;
  /** Needs PostgreSQL behind a proxy (`DATABASE_URL`). */
  postgres?: boolean;
  /** Needs the server's fault hooks (the reference app, or a target that offers `/_chaos/fault`). */
  serverFaults?: boolean;
  /** Clients run as processes the Nemesis kills. */
  childClients?: boolean;
  /** Schedule built at run time (`mixed`, `random`). */
  generated?: boolean;
  steps: FaultStep[];
}

const app = (toxic: Extract<Fault, { kind: 'toxic' }>['toxic']): Fault => ({
  kind: 'toxic',
  target: 'app',
  toxic,
});
const windows = (fault: Fault, ...spans: [number, number][]): FaultStep[] =>
  spans.map(([from, to]) => ({ from, to, fault }));

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  latency: {
    name: 'latency',
    proves: 'slow is not failed: latency both ways causes no duplicate and no give-up',
    steps: [
      ...windows(
        app({ kind: 'latency', stream: 'downstream', attributes: { latency: 400, jitter: 200 } }),
        [0.1, 0.8],
      ),
      ...windows(
        app({ kind: 'latency', stream: 'upstream', attributes: { latency: 150, jitter: 50 } }),
        [0.3, 0.6],
      ),
    ],
  },
  'timeout-downstream': {
    name: 'timeout-downstream',
    proves:
      '"looks failed but succeeded": the request applies, the answer never comes, the retry is replayed not re-applied',
    steps: windows(
      app({ kind: 'timeout', stream: 'downstream', attributes: { timeout: 400 } }),
      [0.15, 0.4],
      [0.6, 0.8],
    ),
  },
  'reset-upstream': {
    name: 'reset-upstream',
    proves: 'a request reset before it reaches the server is sent again and lands once',
    steps: windows(
      app({ kind: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 }, toxicity: 0.6 }),
      [0.1, 0.45],
      [0.6, 0.85],
    ),
  },
  'reset-downstream': {
    name: 'reset-downstream',
    proves:
      'a connection reset after the server applied the write is retried with the same key and not applied twice',
    steps: [
      ...windows(
        app({ kind: 'latency', stream: 'downstream', attributes: { latency: 150, jitter: 0 } }),
        [0.1, 0.45],
        [0.6, 0.85],
      ),
      ...windows(
        app({ kind: 'reset_peer', stream: 'downstream', attributes: { timeout: 60 }, toxicity: 0.6 }),
        [0.1, 0.45],
        [0.6, 0.85],
      ),
    ],
  },
  'limit-data': {
    name: 'limit-data',
    proves: 'a truncated response is "don\'t know", never a confirmation, and the write lands once',
    steps: windows(
      app({ kind: 'limit_data', stream: 'downstream', attributes: { bytes: 120 }, toxicity: 0.6 }),
      [0.1, 0.45],
      [0.6, 0.85],
    ),
  },
  slicer: {
    name: 'slicer',
    proves: 'requests and responses cut into tiny TCP segments are read whole',
    steps: [
      ...windows(
        app({
          kind: 'slicer',
          stream: 'downstream',
          attributes: { average_size: 12, size_variation: 6, delay: 1_000 },
        }),
        [0.05, 0.9],
      ),
      ...windows(
        app({
          kind: 'slicer',
          stream: 'upstream',
          attributes: { average_size: 12, size_variation: 6, delay: 1_000 },
        }),
        [0.05, 0.9],
      ),
    ],
  },
  outage: {
    name: 'outage',
    proves: 'a full outage (proxy down, then up) is waited out from the outbox; nothing is dropped',
    steps: windows({ kind: 'down', target: 'app' }, [0.25, 0.65]),
  },
  'http-500-before-commit': {
    name: 'http-500-before-commit',
    proves: 'a 500 that applied nothing is retried until it applies once',
    serverFaults: true,
    steps: windows({ kind: 'server', setting: { kind: '500-before-commit', rate: 0.4 } }, [0.05, 0.85]),
  },
  'http-500-after-commit': {
    name: 'http-500-after-commit',
    proves:
      'a 500 after the commit ("looks failed but succeeded") is retried with the same key and replayed, not applied twice',
    serverFaults: true,
    steps: windows({ kind: 'server', setting: { kind: '500-after-commit', rate: 0.4 } }, [0.05, 0.85]),
  },
  'crash-after-commit': {
    name: 'crash-after-commit',
    proves:
      'the app dying between commit and answer loses nothing and, once restarted, replays instead of re-applying',
    serverFaults: true,
    steps: windows(
      { kind: 'server', setting: { kind: 'exit-after-commit', rate: 0.3 } },
      [0.05, 0.45],
      [0.5, 0.9],
    ),
  },
  'client-kill': {
    name: 'client-kill',
    proves:
      'a client process killed with SIGKILL at any moment resumes from its durable outbox: no write lost, none doubled',
    childClients: true,
    // A mobile-like round trip keeps requests on the wire, so each kill lands mid-request.
    steps: [
      ...windows(
        app({ kind: 'latency', stream: 'downstream', attributes: { latency: 250, jitter: 50 } }),
        [0, 0.95],
      ),
      ...windows({ kind: 'kill-clients' }, [0.2, 0.25], [0.45, 0.5], [0.7, 0.75]),
    ],
  },
  'db-latency': {
    name: 'db-latency',
    proves: 'a slow database behind the app causes timeouts that are reconciled, not doubled',
    postgres: true,
    steps: windows(
      {
        kind: 'toxic',
        target: 'db',
        toxic: { kind: 'latency', stream: 'downstream', attributes: { latency: 700, jitter: 300 } },
      },
      [0.1, 0.7],
    ),
  },
  'db-outage': {
    name: 'db-outage',
    proves:
      'a database outage makes the app answer 5xx (nothing half-written) and every write lands once after it',
    postgres: true,
    steps: windows({ kind: 'down', target: 'db' }, [0.3, 0.6]),
  },
  mixed: {
    name: 'mixed',
    proves: 'every fault above, overlapping at random (seeded), still gives exactly once',
    generated: true,
    steps: [],
  },
  random: {
    name: 'random',
    proves: 'fast-check searches fault schedules for a violation and shrinks any it finds to the smallest',
    generated: true,
    steps: [],
  },
};
