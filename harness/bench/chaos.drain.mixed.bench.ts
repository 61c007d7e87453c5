// chaos.drain.mixed: time until every Landed write is resolved under the `mixed` fault schedule vs
// the same workload with no faults, through the real Toxiproxy and reference app, in the same run.
// Attempts per write are printed (target <= 2).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { emit, skipped } from '../../packages/client/bench/bench-kit.ts';
import { loadMuseum } from '../src/experiment/load.ts';
import { menuFor } from '../src/scenarios/needs.ts';
import { type RunSize, runScenario, type ScenarioRun } from '../src/scenarios/run-scenario.ts';
import { mixedSchedule } from '../src/scenarios/schedule.ts';
import { startToxiproxy } from '../src/toxiproxy/ToxiproxyServer.ts';

const ID = 'chaos.drain.mixed';
if (!skipped(ID)) {
  const SEED = 20_240_611;
  const toxiproxy = await startToxiproxy({ root: resolve(import.meta.dirname, '../..') });
  const workDir = mkdtempSync(join(tmpdir(), 'landed-bench-'));
  const size: RunSize = { clients: 2, writes: 30, windowMs: 3_000, drainMs: 60_000 };
  const env = { toxiproxy, workDir };
  // Time from the first accepted write to the last final answer, Landed only.
  const resolveSpan = (run: ScenarioRun) => {
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const op of run.history) {
      if (op.type === 'fault' || op.client !== 'landed') continue;
      if (op.type === 'enqueue') first = Math.min(first, op.at);
      if (op.type === 'verdict') last = Math.max(last, op.at);
    }
    return last - first;
  };
  const museum = loadMuseum();
  const scenario = museum.scenarios.find((s) => s.name === 'mixed');
  if (!scenario?.draw) throw new Error(`${ID}: the museum matrix has no mixed scenario`);
  try {
    const calm = await runScenario(museum, scenario, [], size, env);
    const steps = mixedSchedule(menuFor(museum, {}), SEED, scenario.draw);
    const mixed = await runScenario(museum, scenario, steps, size, env);
    const landed = mixed.verdicts.find((v) => v.client === 'landed');
    const ours = resolveSpan(mixed);
    const baseline = resolveSpan(calm);
    emit({
      id: ID,
      ours,
      baseline,
      ratio: ours / baseline,
      unit: 'ms',
      target: '<= 3',
      notes: {
        attemptsPerWrite: landed?.attemptsPerWrite ?? Number.NaN,
        landedPassed: String(landed?.passed),
        faults: steps.length,
        writes: landed?.writes ?? 0,
        seed: SEED,
      },
    });
  } finally {
    await toxiproxy.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
