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
import type { ChaosSentry } from '../report/sentry.ts';
import type { ToxiproxyServer } from '../toxiproxy/ToxiproxyServer.ts';
import type { Scenario, ScenarioName } from './catalog.ts';
import { type FaultStep, faultLabel } from './faults.ts';
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

/** The size of a run: the workload window grows with the writes (3 ms per write and client, at least 3 s). */
export function runSize(clients: number, writes: number, drainMs: number): RunSize {
  return { clients, writes, windowMs: Math.max(3_000, clients * writes * 3), drainMs };
}

export interface RunEnvironment {
  toxiproxy: ToxiproxyServer;
  workDir: string;
  postgresUrl?: string | undefined;
  target?: string | undefined;
  /** With `SENTRY_DSN`: Landed writes that need a person and every violation are reported here. */
  sentry?: ChaosSentry | undefined;
  /** Final answers so far out of writes planned, and the faults active now (for the progress line). */
  onProgress?: (resolved: number, planned: number, faults: readonly string[]) => void;
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
  env.onProgress?.(0, planned, active);
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
    const sentry = env.sentry;
    if (scenario.childClients) clientKills = await runChildren(scenario, steps, size, stage, record, sentry);
    else await runInProcess(scenario, steps, size, stage, record, sentry);
    const faults = steps.map(
      (s) => `${Math.round(s.from * 100)}%–${Math.round(s.to * 100)}% ${faultLabel(s.fault)}`,
    );
    // The naive client's violations are the expected contrast: only the clients under test report.
    const verdicts = check(
      history,
      await stage.readLedger(),
      sentry &&
        ((found) => {
          if (found.client !== 'naive') sentry.violation({ ...found, scenario: scenario.name, faults });
        }),
    );
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
  scenario: Scenario,
  steps: FaultStep[],
  size: RunSize,
  stage: StageLike,
  record: (op: Op) => void,
  sentry: ChaosSentry | undefined,
): Promise<void> {
  // Fresh agents: no pooled socket from an earlier scenario carries its toxics into this one.
  const landedAgent = new Agent({ keepAlive: true });
  const naiveAgent = new Agent({ keepAlive: true });
  const runners: ClientRunner[] = [];
  for (let i = 0; i < size.clients; i++) {
    const reporter = sentry?.reporter({ 'chaos.scenario': scenario.name, 'chaos.client': 'landed' });
    runners.push(
      new LandedRunner({
        instance: i,
        baseUrl: stage.baseUrl,
        record,
        fetch: agentFetch(landedAgent),
        ...(reporter ? { client: { reporter } } : {}),
      }),
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
  sentry: ChaosSentry | undefined,
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
            ...(sentry && kind === 'landed'
              ? {
                  sentry: {
                    dsn: sentry.settings.dsn,
                    tags: { ...sentry.settings.tags, 'chaos.scenario': scenario.name, 'chaos.client': kind },
                  },
                }
              : {}),
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
  // A process takes a while to start (seconds on a loaded machine): the fault window opens when the
  // workload does, so the kills land on processes at work.
  await Promise.all(children.map((c) => c.ready(30_000)));
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
  return children.reduce((n, c) => n + c.kills, 0);
}
