/**
 * What `landed-chaos run` says besides the verdict table: the experiment in one line, the faults of
 * a run of one scenario as they are planned and as they start and stop, and that scenario's Landed
 * verdict against each threshold.
 */
import type { Experiment, Scenario } from '../experiment/Experiment.ts';
import type { Measure } from '../experiment/thresholds.ts';
import { faultLabel } from '../scenarios/faults.ts';
import type { ScenarioRun } from '../scenarios/run-scenario.ts';

const LABELS: Record<string, string> = { landed: 'Landed', naive: 'naive' };

/** `Experiment orders: 1 Landed client(s) × 12 POST /orders → http://…` */
export function describeExperiment(
  experiment: Experiment,
  sizes: { clients: number; writes: number },
  target: string | undefined,
): string {
  const kinds = experiment.kinds.map((k) => LABELS[k] ?? k);
  const clients =
    kinds.length === 1
      ? `${sizes.clients} ${kinds[0]} client(s)`
      : `${sizes.clients} client(s) of each kind (${kinds.join(', ')})`;
  const sequence = experiment.writes.sequence;
  const routes = [...new Set(sequence.map((w) => `${w.method} ${w.path}`))];
  const writes =
    routes.length === 1 ? `${sizes.writes} ${routes[0]}` : `${sizes.writes} writes (${routes.join(', ')})`;
  return `Experiment ${experiment.name}: ${clients} × ${writes} → ${target ?? 'the reference app'}`;
}

/** The plan of a scenario's fixed faults, one line each. */
export function faultPlan(scenario: Scenario): string[] {
  return scenario.faults.map((f) =>
    'during' in f
      ? `  fault ${faultLabel(f.fault)} during ${f.during.map(([a, b]) => `${Math.round(a * 100)}%–${Math.round(b * 100)}%`).join(', ')}`
      : `  fault ${faultLabel(f.fault)} from ${f.start} ms for ${f.duration} ms`,
  );
}

/** The Landed verdict of one scenario: what became of the writes, each threshold, example write ids. */
export function scenarioSummary(run: ScenarioRun): string[] {
  const v = run.verdicts.find((x) => x.client === 'landed');
  if (!v) return [];
  const lines = [
    `\n${v.writes} writes: ${v.confirmed} confirmed, ${v.rejected} rejected, ${v.expired} expired (run ${run.runId ?? '-'}, ${(run.durationMs / 1000).toFixed(1)} s)`,
  ];
  for (const m of run.measures ?? []) lines.push(measureLine(m));
  for (const [kind, ids] of Object.entries(v.examples))
    if (ids?.length) lines.push(`  ${kind}: e.g. ${ids.join(', ')}`);
  return lines;
}

function measureLine(m: Measure): string {
  const text = `  ${m.held ? 'ok  ' : 'FAIL'} ${m.name.padEnd(20)} ${(Number.isFinite(m.value) ? `${m.value}${m.unit}` : 'never').padStart(9)}  (at most ${m.limit}${m.unit})`;
  return m.note ? `${text}\n         ${m.note}` : text;
}
