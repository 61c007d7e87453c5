/**
 * A `search` scenario (the museum's `random`): fast-check generates fault schedules from the menu,
 * runs each one for real, and on a Landed violation shrinks the schedule to the smallest one that
 * still fails. Seeded and replayable: the failure is printed as the command that reruns exactly that
 * search.
 */
import fc from 'fast-check';
import type { Experiment, Scenario } from '../experiment/Experiment.ts';
import { judge } from '../experiment/thresholds.ts';
import { type Fault, type FaultStep, faultLabel } from './faults.ts';
import { mergeVerdicts } from './merge.ts';
import { type RunEnvironment, type RunSize, runScenario, runSize, type ScenarioRun } from './run-scenario.ts';
import { scheduleArbitrary } from './schedule.ts';

export interface RandomOptions {
  seed: number;
  runs: number;
  /** fast-check replay path of a counterexample (`--path`). */
  path?: string | undefined;
  menu: Fault[];
  /** How many faults a schedule has. */
  faults: { min: number; max: number };
  /** Printed as the rerun command. */
  rerun: (seed: number, path: string | undefined) => string;
  log: (line: string) => void;
}

/**
 * The size of one generated schedule: `random` spreads the scenario's writes over its schedules (each
 * client writes `writes / runs`, but at least `min(writes, 20)`), so `--full` tries 100 schedules of
 * 4 × 25 writes — 10,000 per client kind in all — instead of 100 runs of 10,000 that nobody could
 * shrink.
 */
export function scheduleSize(
  size: RunSize,
  runs: number,
  spread?: Experiment['writes']['spreadMs'],
): RunSize {
  const writes = Math.max(Math.min(size.writes, 20), Math.ceil(size.writes / runs));
  return writes === size.writes ? size : runSize(size.clients, writes, size.drainMs, spread);
}

export async function runRandom(
  experiment: Experiment,
  scenario: Scenario,
  size: RunSize,
  env: RunEnvironment,
  options: RandomOptions,
): Promise<ScenarioRun & { counterexample?: FaultStep[]; rerun?: string }> {
  const runs: ScenarioRun[] = [];
  const startedAt = Date.now();
  const each = scheduleSize(size, options.runs, experiment.writes.spreadMs);
  const result = await fc.check(
    fc.asyncProperty(scheduleArbitrary(options.menu, options.faults), async (steps) => {
      const run = await runScenario(experiment, scenario, steps, each, env);
      runs.push(run);
      return run.verdicts.find((v) => v.client === 'landed')?.passed !== false;
    }),
    {
      seed: options.seed,
      numRuns: options.runs,
      endOnFailure: false,
      ...(options.path ? { path: options.path } : {}),
    },
  );
  const failing = result.failed ? runs.at(-1) : undefined;
  const shown = failing ?? runs.at(-1);
  const merged: ScenarioRun = {
    name: scenario.name,
    proves: scenario.proves,
    steps: shown?.steps ?? [],
    verdicts: mergeVerdicts(runs.map((r) => r.verdicts)),
    history: shown?.history ?? [],
    startedAt,
    durationMs: Date.now() - startedAt,
    appCrashes: runs.reduce((n, r) => n + r.appCrashes, 0),
    clientKills: 0,
    seed: options.seed,
  };
  const landed = merged.verdicts.find((v) => v.client === 'landed');
  if (landed) merged.measures = judge(landed, experiment.thresholds, experiment.verify.kind !== 'get');
  if (!result.failed || !result.counterexample) return merged;
  const [counterexample] = result.counterexample;
  const rerun = options.rerun(options.seed, result.counterexamplePath ?? undefined);
  options.log(
    `${scenario.name}: Landed violation after ${result.numRuns} schedule(s), shrunk ${result.numShrinks} time(s) to:`,
  );
  for (const step of counterexample)
    options.log(`  ${Math.round(step.from * 100)}%–${Math.round(step.to * 100)}%  ${faultLabel(step.fault)}`);
  options.log(`rerun: ${rerun}`);
  return { ...merged, counterexample, rerun };
}
