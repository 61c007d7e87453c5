/**
 * The fleet scenarios of `landed-chaos run --fleet N`, run one after another and handed back as the
 * runs every report prints (the fault names in the History, the verdicts, the crashes).
 */
import type { RunSize, ScenarioRun } from '../scenarios/run-scenario.ts';
import { FLEET_SCENARIO_NAMES, FLEET_SCENARIOS, type FleetScenarioName } from './fleet-scenarios.ts';
import { type FleetEnvironment, runFleetScenario } from './run-fleet-scenario.ts';

export function isFleetScenario(name: string): name is FleetScenarioName {
  return (FLEET_SCENARIO_NAMES as readonly string[]).includes(name);
}

export async function runFleetScenarios(
  names: readonly FleetScenarioName[],
  size: RunSize,
  env: FleetEnvironment & {
    onScenario?: (name: string, index: number, count: number) => void;
    onResult?: (run: ScenarioRun) => void;
  },
): Promise<ScenarioRun[]> {
  const runs: ScenarioRun[] = [];
  for (const [i, name] of names.entries()) {
    env.onScenario?.(name, i, names.length);
    const scenario = FLEET_SCENARIOS[name];
    const run = await runFleetScenario(scenario, size, env);
    const result: ScenarioRun = {
      name,
      proves: scenario.proves,
      steps: [],
      verdicts: run.verdicts,
      history: run.history,
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      appCrashes: run.appCrashes,
      clientKills: 0,
    };
    env.onResult?.(result);
    runs.push(result);
  }
  return runs;
}
