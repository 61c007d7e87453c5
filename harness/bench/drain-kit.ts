// The drain benchmarks' one measure: time from the first accepted write to the last final answer of
// one client kind under the museum's `mixed` fault schedule, against the same workload with no
// faults, through the real Toxiproxy and reference app, in the same run (chaos.drain.*).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { emit, skipped } from '../../packages/client/bench/bench-kit.ts';
import type { ClientKind } from '../src/checker/history.ts';
import { loadMuseum } from '../src/experiment/load.ts';
import { menuFor } from '../src/scenarios/needs.ts';
import { type RunSize, runScenario, type ScenarioRun } from '../src/scenarios/run-scenario.ts';
import { mixedSchedule } from '../src/scenarios/schedule.ts';
import { startToxiproxy } from '../src/toxiproxy/ToxiproxyServer.ts';

const SEED = 20_240_611;
const SIZE: RunSize = { clients: 2, writes: 30, windowMs: 3_000, drainMs: 60_000 };

export async function measureDrain(id: string, kind: ClientKind, passedNote: string): Promise<void> {
  if (skipped(id)) return;
  const toxiproxy = await startToxiproxy({ root: resolve(import.meta.dirname, '../..') });
  const workDir = mkdtempSync(join(tmpdir(), 'landed-bench-'));
  const env = { toxiproxy, workDir };
  const resolveSpan = (run: ScenarioRun) => {
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const op of run.history) {
      if (op.type === 'fault' || op.client !== kind) continue;
      if (op.type === 'enqueue') first = Math.min(first, op.at);
      if (op.type === 'verdict') last = Math.max(last, op.at);
    }
    return last - first;
  };
  const museum = loadMuseum();
  const experiment = kind === 'landed' ? museum : { ...museum, kinds: [kind] };
  const scenario = museum.scenarios.find((s) => s.name === 'mixed');
  if (!scenario?.draw) throw new Error(`${id}: the museum matrix has no mixed scenario`);
  try {
    const calm = await runScenario(experiment, scenario, [], SIZE, env);
    const steps = mixedSchedule(menuFor(museum, {}), SEED, scenario.draw);
    const mixed = await runScenario(experiment, scenario, steps, SIZE, env);
    const v = mixed.verdicts.find((x) => x.client === kind);
    const ours = resolveSpan(mixed);
    const baseline = resolveSpan(calm);
    emit({
      id,
      ours,
      baseline,
      ratio: ours / baseline,
      unit: 'ms',
      target: '<= 3',
      notes: {
        attemptsPerWrite: v?.attemptsPerWrite ?? Number.NaN,
        [passedNote]: String(v?.passed),
        faults: steps.length,
        writes: v?.writes ?? 0,
        seed: SEED,
      },
    });
  } finally {
    await toxiproxy.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
