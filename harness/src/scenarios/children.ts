/**
 * The clients of a scenario that kills them: each its own process (a Landed one on a file outbox),
 * started with its planned writes, SIGKILLed by the Nemesis and started again until it has finished
 * its work. Returns how many kills there were.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Op } from '../checker/history.ts';
import { ChildClient } from '../clients/ChildClient.ts';
import { clientKind } from '../clients/kinds.ts';
import type { Experiment, Scenario } from '../experiment/Experiment.ts';
import type { ClientWrites } from '../experiment/plan.ts';
import type { ChaosSentry } from '../report/sentry.ts';
import type { FaultStep } from './faults.ts';
import { Nemesis } from './Nemesis.ts';
import type { RunSize } from './run-scenario.ts';
import type { Stage } from './Stage.ts';

export interface ChildrenRun {
  experiment: Experiment;
  scenario: Scenario;
  plans: ReadonlyMap<string, ClientWrites>;
  steps: FaultStep[];
  size: RunSize;
  faultWindowMs: number;
  stage: Stage;
  record: (op: Op) => void;
  sentry: ChaosSentry | undefined;
}

export async function runChildren({
  scenario,
  plans,
  steps,
  size,
  faultWindowMs,
  stage,
  record,
  sentry,
}: ChildrenRun): Promise<number> {
  const children: ChildClient[] = [];
  for (const [id, { writes }] of plans) {
    const kind = id.slice(0, id.lastIndexOf(':'));
    const instance = Number(id.slice(id.lastIndexOf(':') + 1));
    // Processes are Node clients: a browser kind's kill is a tab crash (the browser scenarios).
    if (clientKind(kind).browser) continue;
    const dir = join(stage.dir, `${kind}-${instance}`);
    mkdirSync(dir, { recursive: true });
    // The writes go to the process as a file: at release size they outgrow an environment variable.
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(writes));
    children.push(
      new ChildClient(
        {
          kind,
          instance,
          baseUrl: stage.baseUrl,
          dir,
          planFile,
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
  for (const c of children) c.start();
  // A process takes a while to start (seconds on a loaded machine): the fault window opens when the
  // workload does, so the kills land on processes at work.
  await Promise.all(children.map((c) => c.ready(30_000)));
  const nemesis = new Nemesis(
    { app: stage.appProxy, db: stage.dbProxy, server: stage.server, children },
    record,
  );
  await nemesis.play(steps, faultWindowMs);
  await nemesis.heal();
  // A child killed near the end is restarted by the Nemesis; wait for each to finish its work.
  for (const c of children) {
    for (let round = 0; round < 5 && !(await c.finished()); round++) if (!c.running) c.start();
  }
  return children.reduce((n, c) => n + c.kills, 0);
}
