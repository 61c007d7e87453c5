/**
 * The in-process part of a scenario for any set of client kinds: each kind gets a fresh HTTP agent
 * (Node kinds) or its own browser contexts on the scenario's page origin (browser kinds), all run the
 * same museum workload while the Nemesis plays the schedule, then heal, drain and close.
 */
import { Agent } from 'node:http';
import type { Op } from '../checker/history.ts';
import { agentFetch } from '../clients/agent-fetch.ts';
import type { SharedChromium } from '../clients/browser/chromium.ts';
import { PageOrigin } from '../clients/browser/PageOrigin.ts';
import { clientKind, type KindContext, pagesOf } from '../clients/kinds.ts';
import type { ClientRunner } from '../clients/runner.ts';
import { museumWorkload } from '../clients/workload.ts';
import type { FaultStep } from './faults.ts';
import { Nemesis } from './Nemesis.ts';
import type { Stage } from './Stage.ts';

export interface KindsRun {
  kinds: readonly string[];
  clients: number;
  writes: number;
  windowMs: number;
  drainMs: number;
  chromium: SharedChromium;
  /** Per kind and instance: overrides for Landed clients (the Sentry reporter). */
  landed?: (kind: string) => KindContext['landed'];
}

export async function runKindsInProcess(
  stage: Pick<Stage, 'baseUrl' | 'appProxy' | 'dbProxy' | 'server'>,
  steps: FaultStep[],
  run: KindsRun,
  record: (op: Op) => void,
): Promise<void> {
  const agents: Agent[] = [];
  let origin: Promise<PageOrigin> | undefined;
  const openOrigin = () => {
    origin ??= PageOrigin.open(pagesOf(run.kinds), stage.baseUrl);
    return origin;
  };
  const runners: ClientRunner[] = [];
  try {
    // Browser pages start one after another: several contexts opening at once on two cores only
    // make each slower.
    for (const name of run.kinds) {
      const spec = clientKind(name);
      const agent = new Agent({ keepAlive: true });
      agents.push(agent);
      for (let instance = 0; instance < run.clients; instance++) {
        const landed = run.landed?.(name);
        runners.push(
          await spec.create({
            instance,
            baseUrl: stage.baseUrl,
            record,
            fetch: agentFetch(agent),
            chromium: run.chromium,
            origin: openOrigin,
            ...(landed ? { landed } : {}),
          }),
        );
      }
    }
    const nemesis = new Nemesis({ app: stage.appProxy, db: stage.dbProxy, server: stage.server }, record);
    try {
      await Promise.all([
        nemesis.play(steps, run.windowMs),
        ...runners.map((r) => r.run(museumWorkload(r.kind, r.instance, run.writes), run.windowMs)),
      ]);
    } finally {
      await nemesis.heal();
      await stage.server?.settled();
    }
    await Promise.all(runners.map((r) => r.drain(run.drainMs)));
  } finally {
    await Promise.all(runners.map((r) => r.close().catch(() => {})));
    for (const agent of agents) agent.destroy();
    if (origin) await (await origin).close();
  }
}
