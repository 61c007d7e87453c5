/**
 * One scenario, end to end: open a fresh stage, run Landed and naive clients on the same workload
 * while the Nemesis plays the schedule, heal, drain, read the ledger directly and check.
 */
import { Agent } from 'node:http';
import { type ClientVerdict, check } from '../checker/check.ts';
import type { History, Op } from '../checker/history.ts';
import { agentFetch } from '../clients/agent-fetch.ts';
import { ChildClient } from '../clients/ChildClient.ts';
import { LandedRunner } from '../clients/LandedRunner.ts';
import { NaiveRunner } from '../clients/NaiveRunner.ts';
import type { ClientRunner } from '../clients/runner.ts';
import { museumWorkload } from '../clients/workload.ts';
import type { ToxiproxyServer } from '../toxiproxy/ToxiproxyServer.ts';
import type { Scenario, ScenarioName } from './catalog.ts';
import type { FaultStep } from './faults.ts';
import { Nemesis } from './Nemesis.ts';
import { openStage } from './Stage.ts';

export interface RunSize {
  /** Clients of each kind. */
  clients: number;
  /** Writes per client. */
  writes: number;
  /** How long the workload (and the fault schedule) lasts. */
  windowMs: number;
  /** How long clients may take to resolve everything after healing. */
  drainMs: number;
}

export interface RunEnvironment {
  toxiproxy: ToxiproxyServer;
  workDir: string;
  postgresUrl?: string | undefined;
  target?: string | undefined;
  /** Verdicts received so far out of writes planned (for the progress bar). */
  onProgress?: (resolved: number, planned: number) => void;
}

export interface ScenarioRun {
  name: ScenarioName;
  /** Why it did not run (e.g. needs PostgreSQL). */
  skipped?: string;
  steps: FaultStep[];
  verdicts: ClientVerdict[];
  history: History;
  startedAt: number;
  durationMs: number;
  appCrashes: number;
  clientKills: number;
  /** The fast-check seed of a generated schedule. */
  seed?: number;
}

export function skip(
  scenario: Scenario,
  env: Pick<RunEnvironment, 'postgresUrl' | 'target'>,
  serverFaults: boolean,
): string | undefined {
  if (scenario.postgres && !env.postgresUrl) return 'needs PostgreSQL: set DATABASE_URL to run it';
  if (scenario.postgres && env.target) return 'the database of a --target server is not behind the harness';
  if (scenario.serverFaults && !serverFaults) return 'the target server has no fault hooks (/_chaos/fault)';
  return undefined;
}

export async function runScenario(
  scenario: Scenario,
  steps: FaultStep[],
  size: RunSize,
  env: RunEnvironment,
): Promise<ScenarioRun> {
  const startedAt = Date.now();
  const history: History = [];
  const planned = size.clients * size.writes * 2;
  let resolved = 0;
  const record = (op: Op) => {
    history.push(op);
    if (op.type === 'verdict' && op.verdict !== 'unresolved') env.onProgress?.(++resolved, planned);
  };
  env.onProgress?.(0, planned);
  const stage = await openStage({
    toxiproxy: env.toxiproxy,
    workDir: env.workDir,
    postgresUrl: env.postgresUrl,
    target: env.target,
  });
  const base: Omit<ScenarioRun, 'verdicts' | 'durationMs' | 'appCrashes' | 'clientKills'> = {
    name: scenario.name,
    steps,
    history,
    startedAt,
  };
  const skipped = skip(scenario, env, stage.server !== undefined);
  if (skipped) {
    await stage.close();
    return { ...base, skipped, verdicts: [], durationMs: 0, appCrashes: 0, clientKills: 0 };
  }
  try {
    let clientKills = 0;
    if (scenario.childClients) clientKills = await runChildren(scenario, steps, size, stage, record);
    else await runInProcess(steps, size, stage, record);
    const verdicts = check(history, await stage.readLedger());
    return {
      ...base,
      verdicts,
      durationMs: Date.now() - startedAt,
      appCrashes: stage.crashes(),
      clientKills,
    };
  } finally {
    await stage.close();
  }
}

type StageLike = Awaited<ReturnType<typeof openStage>>;

async function runInProcess(
  steps: FaultStep[],
  size: RunSize,
  stage: StageLike,
  record: (op: Op) => void,
): Promise<void> {
  // Fresh agents: no pooled socket from an earlier scenario carries its toxics into this one.
  const landedAgent = new Agent({ keepAlive: true });
  const naiveAgent = new Agent({ keepAlive: true });
  const runners: ClientRunner[] = [];
  for (let i = 0; i < size.clients; i++) {
    runners.push(
      new LandedRunner({ instance: i, baseUrl: stage.baseUrl, record, fetch: agentFetch(landedAgent) }),
    );
    runners.push(
      new NaiveRunner({ instance: i, baseUrl: stage.baseUrl, record, fetch: agentFetch(naiveAgent) }),
    );
  }
  const nemesis = new Nemesis({ app: stage.appProxy, db: stage.dbProxy, server: stage.server }, record);
  try {
    await Promise.all([
      nemesis.play(steps, size.windowMs),
      ...runners.map((r) => r.run(museumWorkload(r.kind, r.instance, size.writes), size.windowMs)),
    ]);
  } finally {
    await nemesis.heal();
    await stage.server?.settled();
  }
  await Promise.all(runners.map((r) => r.drain(size.drainMs)));
  await Promise.all(runners.map((r) => r.close()));
  landedAgent.destroy();
  naiveAgent.destroy();
}

async function runChildren(
  scenario: Scenario,
  steps: FaultStep[],
  size: RunSize,
  stage: StageLike,
  record: (op: Op) => void,
): Promise<number> {
  const children: ChildClient[] = [];
  for (let i = 0; i < size.clients; i++) {
    for (const kind of ['landed', 'naive'] as const) {
      const dir = `${stage.dir}/${kind}-${i}`;
      children.push(
        new ChildClient(
          {
            kind,
            instance: i,
            baseUrl: stage.baseUrl,
            dir,
            count: size.writes,
            spreadMs: size.windowMs,
            drainMs: size.drainMs,
          },
          record,
        ),
      );
    }
  }
  const { mkdirSync } = await import('node:fs');
  for (const c of children) {
    mkdirSync(c.spec.dir, { recursive: true });
    c.start();
  }
  const nemesis = new Nemesis(
    { app: stage.appProxy, db: stage.dbProxy, server: stage.server, children },
    record,
  );
  await nemesis.play(steps, size.windowMs);
  await nemesis.heal();
  // A child killed near the end is restarted by the Nemesis; wait for each to finish its work.
  for (const c of children) {
    for (let round = 0; round < 5 && !(await c.finished()); round++) if (!c.running) c.start();
  }
  void scenario;
  return children.reduce((n, c) => n + c.kills, 0);
}
