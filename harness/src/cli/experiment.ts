/**
 * `landed-chaos run --experiment FILE`: loads and validates the file, checks the target answers
 * before Toxiproxy starts, runs the experiment, prints each threshold against what was measured,
 * and exits 1 when any does not hold.
 */
import { resolve } from 'node:path';
import { assertReachable } from '../conform/conform.ts';
import { loadExperiment } from '../experiment/load.ts';
import { runExperiment } from '../experiment/runExperiment.ts';
import type { Measure } from '../experiment/thresholds.ts';
import { faultLabel } from '../scenarios/faults.ts';
import { startToxiproxy } from '../toxiproxy/ToxiproxyServer.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

export async function experimentCommand(file: string): Promise<number> {
  const experiment = loadExperiment(file);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  await assertReachable(experiment.target);
  const toxiproxy = await startToxiproxy({ root: ROOT, log: out });
  try {
    out(
      `Experiment ${experiment.name}: ${experiment.clients} Landed client(s) × ${experiment.writes.count} ${experiment.writes.method} ${experiment.writes.path} → ${experiment.target} (Toxiproxy ${toxiproxy.version})`,
    );
    for (const f of experiment.faults)
      out(`  fault ${faultLabel(f.fault)} from ${f.start} ms for ${f.duration} ms`);
    const result = await runExperiment(experiment, { toxiproxy, log: out });
    const v = result.verdict;
    out(
      `\n${v.writes} writes: ${v.confirmed} confirmed, ${v.rejected} rejected, ${v.expired} expired (run ${result.run}, ${(result.durationMs / 1000).toFixed(1)} s)`,
    );
    for (const m of result.measures) out(measureLine(m));
    const examples = Object.entries(v.examples).filter(([, ids]) => ids?.length);
    for (const [kind, ids] of examples) out(`  ${kind}: e.g. ${ids?.join(', ')}`);
    out(result.passed ? '\nPASS: every threshold held.' : '\nFAIL: a threshold did not hold.');
    return result.passed ? 0 : 1;
  } finally {
    await toxiproxy.stop();
  }
}

function measureLine(m: Measure): string {
  const text = `  ${m.held ? 'ok  ' : 'FAIL'} ${m.name.padEnd(20)} ${`${m.value}${m.unit}`.padStart(9)}  (at most ${m.limit}${m.unit})`;
  return m.note ? `${text}\n         ${m.note}` : text;
}
