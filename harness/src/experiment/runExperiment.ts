/**
 * Runs one experiment: Landed clients send the planned writes through a Toxiproxy proxy in front of
 * the target while the Nemesis plays the faults; after healing and draining, the effects are read
 * from the target directly and the Checker's counters are held against the thresholds.
 */
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { type ClientVerdict, check } from '../checker/check.ts';
import type { History } from '../checker/history.ts';
import { agentFetch } from '../clients/agent-fetch.ts';
import { LandedRunner } from '../clients/LandedRunner.ts';
import type { PlannedWrite } from '../clients/workload.ts';
import { Nemesis } from '../scenarios/Nemesis.ts';
import { HarnessError } from '../toxiproxy/errors.ts';
import { ProxyControl } from '../toxiproxy/ProxyControl.ts';
import type { ToxiproxyServer } from '../toxiproxy/ToxiproxyServer.ts';
import type { Experiment } from './Experiment.ts';
import type { SentWrite } from './payload.ts';
import { render, renderBody } from './template.ts';
import { judge, type Measure } from './thresholds.ts';
import { readEffects } from './verify.ts';

export interface ExperimentResult {
  run: string;
  verdict: ClientVerdict;
  measures: Measure[];
  passed: boolean;
  history: History;
  durationMs: number;
}

export interface RunExperimentOptions {
  toxiproxy: ToxiproxyServer;
  /** Hears each fault start and stop, and the phases of the run. */
  log?: (line: string) => void;
}

export async function runExperiment(
  experiment: Experiment,
  { toxiproxy, log = () => {} }: RunExperimentOptions,
): Promise<ExperimentResult> {
  const began = Date.now();
  // A fresh id per run: the target keeps what earlier runs wrote, and a write id must name one write.
  const run = randomUUID().slice(0, 8);
  const target = new URL(experiment.target);
  const server = experiment.faults.some((f) => f.fault.kind === 'server')
    ? await faultHook(target.origin)
    : undefined;
  const proxy = await ProxyControl.create(
    toxiproxy.client,
    'landed-experiment',
    `${target.hostname}:${target.port || 80}`,
  );
  const history: History = [];
  const record = (op: History[number]) => {
    history.push(op);
    if (op.type === 'fault') log(`  ${((op.at - began) / 1000).toFixed(1)} s  ${op.phase} ${op.name}`);
  };
  const nemesis = new Nemesis({ app: proxy, server }, record);
  const pools: Agent[] = [];
  const runners: LandedRunner[] = [];
  try {
    const sent: SentWrite[] = [];
    const plans: PlannedWrite[][] = [];
    for (let client = 1; client <= experiment.clients; client++) {
      const agent = new Agent({ keepAlive: true });
      pools.push(agent);
      runners.push(
        new LandedRunner({
          instance: client,
          baseUrl: `http://${proxy.listen}${target.pathname.replace(/\/$/, '')}`,
          record,
          fetch: agentFetch(agent),
        }),
      );
      const plan: PlannedWrite[] = [];
      for (let n = 0; n < experiment.writes.count; n++) {
        const fields = { writeId: `${run}-${client}-${n}`, n, client, run };
        const body = renderBody(experiment.writes.body, fields);
        sent.push({ fields, body });
        plan.push({
          writeId: fields.writeId,
          method: experiment.writes.method,
          lane: render(experiment.writes.lane, fields),
          // The runner sends any path and JSON body; its type names the museum's for the built-in scenarios.
          path: render(experiment.writes.path, fields) as PlannedWrite['path'],
          body: body as PlannedWrite['body'],
        });
      }
      plans.push(plan);
    }
    const window = Math.max(1, ...experiment.faults.map((f) => f.start + f.duration));
    const steps = experiment.faults.map((f) => ({
      from: f.start / window,
      to: (f.start + f.duration) / window,
      fault: f.fault,
    }));
    log(`  sending ${sent.length} writes over ${experiment.writes.spreadMs / 1000} s`);
    await Promise.all([
      nemesis.play(steps, window),
      ...runners.map((r, i) => r.run(plans[i] ?? [], experiment.writes.spreadMs)),
    ]);
    await nemesis.heal();
    log(`  faults healed; waiting up to ${experiment.drainMs / 1000} s for every final answer`);
    await Promise.all(runners.map((r) => r.drain(experiment.drainMs)));
    const rows = await readEffects(experiment.target, experiment.verify, sent);
    const verdict = check(history, rows).find((v) => v.client === 'landed');
    if (!verdict) throw new Error('the Checker returned no verdict for the Landed clients');
    const measures = judge(verdict, experiment.thresholds, experiment.verify.kind !== 'get');
    return {
      run,
      verdict,
      measures,
      passed: measures.every((m) => m.held),
      history,
      durationMs: Date.now() - began,
    };
  } finally {
    await nemesis.heal().catch(() => {});
    for (const r of runners) await r.close().catch(() => {});
    for (const a of pools) a.destroy();
    await proxy.remove().catch(() => {});
  }
}

/** The HTTP-500 hook (`PUT /_chaos/fault`), set on the target directly; refused when it has none. */
async function faultHook(origin: string) {
  const offered = await fetch(`${origin}/_chaos/health`)
    .then((r) => r.ok)
    .catch(() => false);
  if (!offered)
    throw new HarnessError(
      'BAD_EXPERIMENT',
      `The experiment has an http500 fault, but ${origin}/_chaos/health does not answer 200: the target offers no fault hook (docs/harness.md). Remove the fault or add the hook.`,
    );
  return {
    async setFault(setting: { kind: string; rate: number } | undefined) {
      await fetch(`${origin}/_chaos/fault`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fault: setting ? `${setting.kind}@${setting.rate}` : null }),
      });
    },
  };
}
