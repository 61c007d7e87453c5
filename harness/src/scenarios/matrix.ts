/** Runs the chosen scenarios one after another on one Toxiproxy and gathers their results. */
import { SCENARIOS, type ScenarioName } from './catalog.ts';
import { faultMenu } from './faults.ts';
import { runRandom } from './random.ts';
import { type RunEnvironment, type RunSize, runScenario, type ScenarioRun } from './runScenario.ts';
import { mixedSchedule } from './schedule.ts';

export interface MatrixOptions {
  names: readonly ScenarioName[];
  size: RunSize;
  seed: number;
  randomRuns: number;
  randomPath?: string | undefined;
  rerun: (seed: number, path: string | undefined) => string;
  log: (line: string) => void;
  onScenario?: (name: ScenarioName, index: number, total: number) => void;
  onResult?: (run: ScenarioRun) => void;
}

export async function runMatrix(env: RunEnvironment, options: MatrixOptions): Promise<ScenarioRun[]> {
  const results: ScenarioRun[] = [];
  const menu = faultMenu({ postgres: Boolean(env.postgresUrl) && !env.target, serverFaults: true });
  for (const [i, name] of options.names.entries()) {
    options.onScenario?.(name, i, options.names.length);
    const scenario = SCENARIOS[name];
    let run: ScenarioRun;
    if (name === 'random') {
      run = await runRandom(options.size, env, {
        seed: options.seed,
        runs: options.randomRuns,
        path: options.randomPath,
        menu,
        rerun: options.rerun,
        log: options.log,
      });
    } else if (name === 'mixed') {
      run = {
        ...(await runScenario(scenario, mixedSchedule(menu, options.seed), options.size, env)),
        seed: options.seed,
      };
    } else {
      run = await runScenario(scenario, scenario.steps, options.size, env);
    }
    results.push(run);
    options.onResult?.(run);
  }
  return results;
}
