/**
 * `random`: fast-check generates fault schedules, runs each one for real, and on a Landed violation
 * shrinks the schedule to the smallest one that still fails. Seeded and replayable: the failure is
 * printed as the command that reruns exactly that search.
 */
import fc from 'fast-check';
import { SCENARIOS } from './catalog.ts';
import { type Fault, type FaultStep, faultLabel } from './faults.ts';
import { mergeVerdicts } from './merge.ts';
import { type RunEnvironment, type RunSize, runScenario, runSize, type ScenarioRun } from './runScenario.ts';
import { scheduleArbitrary } from './schedule.ts';

export interface RandomOptions {
  seed: number;
  runs: number;
  /** fast-check replay path of a counterexample (`--path`). */
  path?: string | undefined;
  menu: Fault[];
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
export function scheduleSize(size: RunSize, runs: number): RunSize {
  const writes = Math.max(Math.min(size.writes, 20), Math.ceil(size.writes / runs));
  return writes === size.writes ? size : runSize(size.clients, writes, size.drainMs);
}

export async function runRandom(
  size: RunSize,
  env: RunEnvironment,
  options: RandomOptions,
): Promise<ScenarioRun & { counterexample?: FaultStep[]; rerun?: string }> {
  const runs: ScenarioRun[] = [];
  const startedAt = Date.now();
  const each = scheduleSize(size, options.runs);
  const result = await fc.check(
    fc.asyncProperty(scheduleArbitrary(options.menu, { min: 1, max: 5 }), async (steps) => {
      const run = await runScenario(SCENARIOS.random, steps, each, env);
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
    name: 'random',
    steps: shown?.steps ?? [],
    verdicts: mergeVerdicts(runs.map((r) => r.verdicts)),
    history: shown?.history ?? [],
    startedAt,
    durationMs: Date.now() - startedAt,
    appCrashes: runs.reduce((n, r) => n + r.appCrashes, 0),
    clientKills: 0,
    seed: options.seed,
  };
  if (!result.failed || !result.counterexample) return merged;
  const [counterexample] = result.counterexample;
  const rerun = options.rerun(options.seed, result.counterexamplePath ?? undefined);
  options.log(
    `random: Landed violation after ${result.numRuns} schedule(s), shrunk ${result.numShrinks} time(s) to:`,
  );
  for (const step of counterexample)
    options.log(`  ${Math.round(step.from * 100)}%–${Math.round(step.to * 100)}%  ${faultLabel(step.fault)}`);
  options.log(`rerun: ${rerun}`);
  return { ...merged, counterexample, rerun };
}
