/**
 * Runs an experiment: its chosen scenarios one after another on one Toxiproxy — a fixed schedule, one
 * drawn from the seed (`draw`), or a fast-check search (`search`) — at the size the experiment, `--full`
 * and the command line give, and gathers their results. `landed-chaos run` runs every experiment,
 * the museum matrix included, through here.
 */

import { menuFor } from '../scenarios/needs.ts';
import { runRandom } from '../scenarios/random.ts';
import {
  type RunEnvironment,
  type RunSize,
  runScenario,
  runSize,
  type ScenarioRun,
} from '../scenarios/run-scenario.ts';
import { fixedSchedule, mixedSchedule } from '../scenarios/schedule.ts';
import type { Experiment, Scenario } from './Experiment.ts';

/** Sizes given on the command line; each one absent comes from the experiment (or its `full`). */
export interface SizeOptions {
  clients?: number | undefined;
  writes?: number | undefined;
  runs?: number | undefined;
  full?: boolean | undefined;
}

export interface ExperimentOptions extends SizeOptions {
  /** The scenarios to run, in the experiment's order. @default all */
  names?: readonly string[] | undefined;
  seed: number;
  /** fast-check replay path of a `search` counterexample (`--path`). */
  randomPath?: string | undefined;
  /** Printed as the rerun command of a `search` counterexample. */
  rerun: (seed: number, path: string | undefined) => string;
  log: (line: string) => void;
  onScenario?: (name: string, index: number, total: number) => void;
  onResult?: (run: ScenarioRun) => void;
}

/** The sizes a scenario runs at: the command line's, else `full` at `--full`, else the scenario's, else the experiment's. */
export function sizesOf(experiment: Experiment, options: SizeOptions, scenario?: Scenario) {
  const full = options.full ? experiment.full : {};
  return {
    clients: options.clients ?? full.clients ?? scenario?.clients ?? experiment.clients,
    writes: options.writes ?? full.writes ?? scenario?.writes ?? experiment.writes.count,
    runs: options.runs ?? full.runs ?? scenario?.search?.runs ?? firstSearch(experiment)?.runs ?? 2,
    drainMs: full.drainMs ?? experiment.drainMs,
  };
}

const firstSearch = (experiment: Experiment) => experiment.scenarios.find((s) => s.search)?.search;

/** The scenarios `names` picks, in the experiment's order. */
export function chosen(experiment: Experiment, names: readonly string[] | undefined): Scenario[] {
  return names ? experiment.scenarios.filter((s) => names.includes(s.name)) : experiment.scenarios;
}

export async function runExperiment(
  experiment: Experiment,
  env: RunEnvironment,
  options: ExperimentOptions,
): Promise<ScenarioRun[]> {
  const results: ScenarioRun[] = [];
  const scenarios = chosen(experiment, options.names);
  const menu = menuFor(experiment, env);
  for (const [i, scenario] of scenarios.entries()) {
    options.onScenario?.(scenario.name, i, scenarios.length);
    const sizes = sizesOf(experiment, options, scenario);
    const size: RunSize = runSize(sizes.clients, sizes.writes, sizes.drainMs, experiment.writes.spreadMs);
    let run: ScenarioRun;
    if (scenario.search) {
      run = await runRandom(experiment, scenario, size, env, {
        seed: options.seed,
        runs: sizes.runs,
        path: options.randomPath,
        menu,
        faults: scenario.search,
        rerun: options.rerun,
        log: options.log,
      });
    } else if (scenario.draw) {
      const steps = mixedSchedule(menu, options.seed, scenario.draw);
      run = { ...(await runScenario(experiment, scenario, steps, size, env)), seed: options.seed };
    } else {
      const { steps, windowMs } = fixedSchedule(scenario.faults, size.windowMs);
      run = await runScenario(experiment, scenario, steps, size, env, windowMs);
    }
    results.push(run);
    options.onResult?.(run);
  }
  return results;
}
