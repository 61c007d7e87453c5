/**
 * One scenario of an experiment, end to end: open a fresh stage, run its clients (Landed, naive, or
 * both, in this process or as processes the Nemesis kills) on the planned writes while the Nemesis
 * plays the schedule, heal, drain, read the effects directly (the ledger, a GET route or SQL), check,
 * and hold every verdict against the experiment's thresholds.
 */
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { type ClientVerdict, check } from '../checker/check.ts';
import type { FaultOp, History, Op } from '../checker/history.ts';
import { agentFetch } from '../clients/agent-fetch.ts';
import { SharedChromium } from '../clients/browser/chromium.ts';
import { PageOrigin } from '../clients/browser/PageOrigin.ts';
import { clientKind, type KindContext, pagesOf } from '../clients/kinds.ts';
import type { ClientRunner } from '../clients/runner.ts';
import type { Experiment, Scenario } from '../experiment/Experiment.ts';
import type { SentWrite } from '../experiment/payload.ts';
import { type ClientWrites, planWrites } from '../experiment/plan.ts';
import { judge, type Measure } from '../experiment/thresholds.ts';
import { readEffects } from '../experiment/verify.ts';
import type { ChaosSentry } from '../report/sentry.ts';
import type { ToxiproxyServer } from '../toxiproxy/ToxiproxyServer.ts';
import { isBrowserFaultTarget } from './browser-faults.ts';
import { runChildren } from './children.ts';
import { type FaultStep, faultLabel } from './faults.ts';
import { Nemesis } from './Nemesis.ts';
import { unsupported } from './needs.ts';
import { historyRecorder } from './recorder.ts';
import { openStage, type Stage } from './Stage.ts';

export interface RunSize {
  /** Clients of each kind. */
  clients: number;
  /** Writes per client. */
  writes: number;
  /** How long the workload (and a schedule timed in shares of it) lasts. */
  windowMs: number;
  /** How long clients may take to resolve everything after healing. */
  drainMs: number;
}

/**
 * The size of a run. The workload window is the experiment's `spreadMs`: fixed, or growing with the
 * writes (the museum: 3 ms per write and client, at least 3 s).
 */
export function runSize(
  clients: number,
  writes: number,
  drainMs: number,
  spread: Experiment['writes']['spreadMs'] = { perWrite: 3, min: 3_000 },
): RunSize {
  const windowMs =
    typeof spread === 'number' ? spread : Math.max(spread.min, clients * writes * spread.perWrite);
  return { clients, writes, windowMs, drainMs };
}

export interface RunEnvironment {
  toxiproxy: ToxiproxyServer;
  workDir: string;
  /** With a `reference` target: PostgreSQL behind a second proxy instead of SQLite. */
  postgresUrl?: string | undefined;
  /** The target server; absent: the reference app, started for each scenario. */
  target?: string | undefined;
  /** With `SENTRY_DSN`: Landed writes that need a person and every violation are reported here. */
  sentry?: ChaosSentry | undefined;
  /** Final answers so far out of writes planned, and the faults active now (for the progress line). */
  onProgress?: (resolved: number, planned: number, faults: readonly string[]) => void;
  /** Hears each fault as the Nemesis starts and stops it. */
  onFault?: (op: FaultOp) => void;
  /** The run's Chromium, for browser client kinds (started on first use). */
  chromium?: SharedChromium | undefined;
  /** With PostgreSQL: this many reference apps behind HAProxy instead of one (`--fleet N`). */
  fleet?: number | undefined;
  /** Told when another run holds the PostgreSQL database this one is about to use (it then waits). */
  onDatabaseWait?: ((database: string) => void) | undefined;
}

export interface ScenarioRun {
  name: string;
  /** What passing it proves (from the experiment file). */
  proves?: string | undefined;
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
  /** The id this run's write ids carry (`{{run}}`). */
  runId?: string;
  /** The Landed verdict against each threshold (the verdict passed when every one held). */
  measures?: Measure[];
}

export async function runScenario(
  experiment: Experiment,
  scenario: Scenario,
  steps: FaultStep[],
  size: RunSize,
  env: RunEnvironment,
  /** The window the schedule's shares are of: the workload's, or the span of faults timed in ms. */
  faultWindowMs = size.windowMs,
): Promise<ScenarioRun> {
  const startedAt = Date.now();
  // A fresh id per run: a target keeps what earlier runs wrote, and a write id must name one write.
  const runId = randomUUID().slice(0, 8);
  const plans = new Map<string, ClientWrites>();
  for (let i = 0; i < size.clients; i++)
    for (const kind of experiment.kinds)
      plans.set(`${kind}:${i}`, planWrites(experiment.writes, kind, i, size.writes, runId));
  const sent: SentWrite[] = [...plans.values()].flatMap((p) => p.sent);
  const planned = sent.length;
  const { history, active, record } = historyRecorder(planned, env.onProgress, env.onFault);
  const base = { name: scenario.name, proves: scenario.proves, steps, history, startedAt, runId };
  const stage = await openStage({
    toxiproxy: env.toxiproxy,
    workDir: env.workDir,
    postgresUrl: env.postgresUrl,
    target: env.target,
    ledger: experiment.verify.kind === 'ledger',
    fleet: env.fleet,
    onDatabaseWait: env.onDatabaseWait,
  });
  try {
    const skipped = unsupported(experiment, scenario, env, stage.server !== undefined);
    if (skipped) return { ...base, skipped, verdicts: [], durationMs: 0, appCrashes: 0, clientKills: 0 };
    env.onProgress?.(0, planned, active);
    const sentry = env.sentry;
    const children = steps.some((s) => s.fault.kind === 'kill-clients');
    let clientKills = 0;
    if (children)
      clientKills = await runChildren({
        experiment,
        scenario,
        plans,
        steps,
        size,
        faultWindowMs,
        stage,
        record,
        sentry,
      });
    else
      await runClientsInProcess({
        plans,
        steps,
        faultWindowMs,
        size,
        stage,
        record,
        reporterFor: (kind) =>
          kind === 'landed'
            ? sentry?.reporter({ 'chaos.scenario': scenario.name, 'chaos.client': 'landed' })
            : undefined,
        chromium: env.chromium,
      });
    const rows =
      experiment.verify.kind === 'ledger'
        ? await stage.readLedger()
        : await readEffects(env.target ?? experiment.target, experiment.verify, sent);
    const faults = steps.map(
      (s) => `${Math.round(s.from * 100)}%–${Math.round(s.to * 100)}% ${faultLabel(s.fault)}`,
    );
    // The naive client's and the peers' violations are the contrast: only Landed's own clients report.
    const verdicts = check(
      history,
      rows,
      sentry &&
        ((found) => {
          if (found.client.startsWith('landed'))
            sentry.violation({ ...found, scenario: scenario.name, faults });
        }),
    );
    let measures: Measure[] | undefined;
    for (const v of verdicts) {
      const judged = judge(v, experiment.thresholds, experiment.verify.kind !== 'get');
      v.passed = judged.every((m) => m.held);
      if (v.client === 'landed') measures = judged;
    }
    return {
      ...base,
      verdicts,
      durationMs: Date.now() - startedAt,
      appCrashes: stage.crashes(),
      clientKills,
      ...(measures ? { measures } : {}),
    };
  } finally {
    await stage.close();
  }
}

/** The clients of one scenario run in this process, and the schedule they meet. */
export interface InProcessRun {
  /** Each client's writes, by `<kind>:<instance>`. */
  plans: ReadonlyMap<string, Pick<ClientWrites, 'writes'>>;
  steps: FaultStep[];
  /** The window the schedule's shares are of. */
  faultWindowMs: number;
  /** How long the workload lasts, and how long the clients may take to resolve after healing. */
  size: Pick<RunSize, 'windowMs' | 'drainMs'>;
  stage: Pick<Stage, 'baseUrl' | 'appProxy' | 'dbProxy' | 'server'>;
  record: (op: Op) => void;
  /** A Landed client's reporter (the Sentry one), by kind. */
  reporterFor?: ((kind: string) => LandedReporter | undefined) | undefined;
  /** Browser kinds share the run's Chromium; without one (a test, a bench) the scenario starts its own. */
  chromium?: SharedChromium | undefined;
}

type LandedReporter = NonNullable<NonNullable<KindContext['landed']>['reporter']>;

/**
 * Runs every client of `plans` in this process — a fresh HTTP agent per kind (Node kinds), browser
 * contexts on one page origin per scenario (browser kinds) — while the Nemesis plays `steps`; then
 * heals, waits for the server, drains and closes every client.
 */
export async function runClientsInProcess(run: InProcessRun): Promise<void> {
  const { plans, stage, record, size } = run;
  const chromium = run.chromium ?? new SharedChromium();
  // Fresh agents: no pooled socket from an earlier scenario carries its toxics into this one.
  const agents = new Map<string, Agent>();
  const agentOf = (kind: string) => {
    const agent = agents.get(kind) ?? new Agent({ keepAlive: true });
    agents.set(kind, agent);
    return agent;
  };
  const kindOf = (id: string) => id.slice(0, id.lastIndexOf(':'));
  // Browser kinds load their pages from one origin per scenario, forwarding writes to this proxy.
  let origin: Promise<PageOrigin> | undefined;
  const openOrigin = () => {
    origin ??= PageOrigin.open(pagesOf([...new Set([...plans.keys()].map(kindOf))]), stage.baseUrl);
    return origin;
  };
  const runners: [ClientRunner, Pick<ClientWrites, 'writes'>][] = [];
  try {
    await runClients();
  } finally {
    await Promise.all(runners.map(([r]) => r.close().catch(() => {})));
    for (const agent of agents.values()) agent.destroy();
    if (origin) await (await origin).close();
    if (!run.chromium) await chromium.close();
  }

  async function runClients(): Promise<void> {
    // Browser pages start one after another: several contexts opening at once on two cores only
    // make each slower.
    for (const [id, writes] of plans) {
      const [kind, instance] = [kindOf(id), Number(id.slice(id.lastIndexOf(':') + 1))];
      const reporter = run.reporterFor?.(kind);
      const runner = await clientKind(kind).create({
        instance,
        baseUrl: stage.baseUrl,
        record,
        fetch: agentFetch(agentOf(kind)),
        chromium,
        origin: openOrigin,
        ...(reporter ? { landed: { reporter } } : {}),
      });
      runners.push([runner, writes]);
    }
    const nemesis = new Nemesis(
      {
        app: stage.appProxy,
        db: stage.dbProxy,
        server: stage.server,
        browsers: runners.map(([r]) => r).filter(isBrowserFaultTarget),
      },
      record,
    );
    try {
      await Promise.all([
        nemesis.play(run.steps, run.faultWindowMs),
        ...runners.map(([r, w]) => r.run(w.writes, size.windowMs)),
      ]);
    } finally {
      await nemesis.heal();
      await stage.server?.settled();
    }
    await Promise.all(runners.map(([r]) => r.drain(size.drainMs)));
  }
}
