/**
 * One fleet scenario, end to end: open a fleet on one PostgreSQL, run Landed and naive clients on the
 * museum workload through HAProxy while the fleet's Nemesis hits one instance, heal, drain, read the
 * ledger directly and check, exactly as a single-app scenario is checked.
 */
import { Agent } from 'node:http';
import { type ClientVerdict, check } from '../checker/check.ts';
import type { History } from '../checker/history.ts';
import { agentFetch } from '../clients/agent-fetch.ts';
import { LandedRunner } from '../clients/LandedRunner.ts';
import { NaiveRunner } from '../clients/NaiveRunner.ts';
import type { ClientRunner } from '../clients/runner.ts';
import { museumWorkload } from '../clients/workload.ts';
import { historyRecorder } from '../scenarios/recorder.ts';
import type { RunSize } from '../scenarios/run-scenario.ts';
import type { ToxiproxyServer } from '../toxiproxy/ToxiproxyServer.ts';
import { Fleet } from './Fleet.ts';
import { FleetNemesis } from './FleetNemesis.ts';
import { type FleetScenario, fleetFaultLabel } from './fleet-scenarios.ts';

export interface FleetEnvironment {
  toxiproxy: ToxiproxyServer;
  workDir: string;
  /** Direct PostgreSQL connection string. */
  postgresUrl: string;
  /** App processes in the fleet (at least 2: the scenarios hit one while another goes on). */
  instances: number;
  /** The database on that server the fleet empties and uses. @default 'landed_fleet' */
  database?: string;
  onProgress?: (resolved: number, planned: number, faults: readonly string[]) => void;
  /** Told when another run holds the PostgreSQL database this one is about to use (it then waits). */
  onDatabaseWait?: ((database: string) => void) | undefined;
}

export interface FleetRun {
  name: FleetScenario['name'];
  instances: number;
  faults: string[];
  verdicts: ClientVerdict[];
  history: History;
  startedAt: number;
  durationMs: number;
  /** Instance exits over the run (each SIGKILL is one). */
  appCrashes: number;
  /** Instances SIGKILLed mid-handler by the Nemesis. */
  instanceKills: number;
  /** Landed attempts answered 409 (the key in progress on some instance). */
  conflicts: number;
}

export async function runFleetScenario(
  scenario: FleetScenario,
  size: RunSize,
  env: FleetEnvironment,
): Promise<FleetRun> {
  if (env.instances < 2) throw new RangeError('A fleet scenario needs at least 2 instances.');
  const startedAt = Date.now();
  const planned = size.clients * size.writes * 2;
  const { history, record } = historyRecorder(planned, env.onProgress);
  const fleet = await Fleet.open({
    toxiproxy: env.toxiproxy,
    workDir: env.workDir,
    postgresUrl: env.postgresUrl,
    instances: env.instances,
    routing: scenario.routing,
    ...(env.database ? { database: env.database } : {}),
    onDatabaseWait: env.onDatabaseWait,
  });
  try {
    // Fresh agents: no pooled socket from an earlier scenario carries its toxics into this one.
    const landedAgent = new Agent({ keepAlive: true });
    const naiveAgent = new Agent({ keepAlive: true });
    const runners: ClientRunner[] = [];
    for (let i = 0; i < size.clients; i++) {
      runners.push(
        new LandedRunner({
          instance: i,
          baseUrl: fleet.baseUrl,
          record,
          fetch: agentFetch(landedAgent),
          ...(scenario.client ? { client: scenario.client } : {}),
        }),
        new NaiveRunner({
          instance: i,
          baseUrl: fleet.baseUrl,
          record,
          fetch: agentFetch(naiveAgent),
          ...(scenario.client?.timeoutMs ? { timeoutMs: scenario.client.timeoutMs } : {}),
        }),
      );
    }
    const nemesis = new FleetNemesis(fleet, record);
    try {
      await Promise.all([
        nemesis.play(scenario.steps, size.windowMs),
        ...runners.map((r) => r.run(museumWorkload(r.kind, r.instance, size.writes), size.windowMs)),
      ]);
    } finally {
      await nemesis.heal();
    }
    await Promise.all(runners.map((r) => r.drain(size.drainMs)));
    await Promise.all(runners.map((r) => r.close()));
    landedAgent.destroy();
    naiveAgent.destroy();
    const verdicts = check(history, await fleet.readLedger());
    return {
      name: scenario.name,
      instances: env.instances,
      faults: scenario.steps.map(
        (s) => `${Math.round(s.from * 100)}%–${Math.round(s.to * 100)}% ${fleetFaultLabel(s.fault)}`,
      ),
      verdicts,
      history,
      startedAt,
      durationMs: Date.now() - startedAt,
      appCrashes: fleet.crashes(),
      instanceKills: nemesis.kills,
      conflicts: history.filter((op) => op.type === 'attempt' && op.client === 'landed' && op.status === 409)
        .length,
    };
  } finally {
    await fleet.close();
  }
}
