// chaos.resolve-p99.latency: p99 time from accept to final answer under the `latency` scenario, Landed
// against the naive client on the very same faults (both run side by side in one scenario run, as
// `landed-chaos run` does), through the real Toxiproxy and reference app, at the release size.
// A p99 only means something when every write is accounted for: the checker counts a write without an
// answer as never answered (a p99 of Infinity once over 1% are stranded), and a Landed run that loses,
// doubles or strands writes is printed as a failure beside its figure, never as a plain number that
// may look good.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { emit, skipped } from '../../packages/client/bench/bench-kit.ts';
import { type ClientVerdict, VIOLATIONS } from '../src/checker/check.ts';
import { CHAOS_CLIENT_DEFAULTS } from '../src/clients/LandedRunner.ts';
import { loadMuseum } from '../src/experiment/load.ts';
import { sizesOf } from '../src/experiment/run-experiment.ts';
import { runScenario, runSize } from '../src/scenarios/run-scenario.ts';
import { fixedSchedule } from '../src/scenarios/schedule.ts';
import { startToxiproxy } from '../src/toxiproxy/ToxiproxyServer.ts';

const ID = 'chaos.resolve-p99.latency';
if (!skipped(ID)) {
  // The size `--full` gives (4 clients of each kind × 2,500 writes, a 30 s window, a 120 s drain),
  // taken from the museum matrix (harness/experiments/museum.yaml) so the bench follows it if it
  // changes. The whole run takes well under a minute, so nothing is scaled down: the backlog that
  // drives the p99 only builds up at this write rate.
  const museum = loadMuseum();
  const scenario = museum.scenarios.find((s) => s.name === 'latency');
  if (!scenario) throw new Error(`${ID}: the museum matrix has no latency scenario`);
  const full = sizesOf(museum, { full: true }, scenario);
  const size = runSize(full.clients, full.writes, full.drainMs, museum.writes.spreadMs);
  const { steps, windowMs } = fixedSchedule(scenario.faults, size.windowMs);
  const toxiproxy = await startToxiproxy({ root: resolve(import.meta.dirname, '../..') });
  const workDir = mkdtempSync(join(tmpdir(), 'landed-bench-'));
  try {
    const run = await runScenario(museum, scenario, steps, size, { toxiproxy, workDir }, windowMs);
    const verdictOf = (client: string): ClientVerdict => {
      const v = run.verdicts.find((x) => x.client === client);
      if (!v) throw new Error(`${ID}: the checker returned no verdict for the ${client} client`);
      return v;
    };
    const landed = verdictOf('landed');
    const naive = verdictOf('naive');
    const counts = (v: ClientVerdict) => {
      const other = VIOLATIONS.filter((k) => k !== 'lost' && k !== 'duplicated' && k !== 'unresolved');
      return {
        writes: v.writes,
        attemptsPerWrite: v.attemptsPerWrite,
        lost: v.lost,
        duplicated: v.duplicated,
        unresolved: v.unresolved,
        otherViolations: other.reduce((n, k) => n + v[k], 0),
        rejected: v.rejected,
        expired: v.expired,
        p50: v.resolveMsP50,
      };
    };
    const prefixed = (prefix: string, o: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(o).map(([k, n]) => [`${prefix}${k[0]?.toUpperCase()}${k.slice(1)}`, n]),
      );
    const ours = landed.resolveMsP99;
    const baseline = naive.resolveMsP99;
    const wrong = VIOLATIONS.filter((k) => landed[k] > 0).map((k) => `${k}=${landed[k]}`);
    const notes: Record<string, number | string> = {
      ...(landed.passed ? {} : { WARNING: `Landed p99 is of a failed run (${wrong.join(' ')})` }),
      landedPassed: landed.passed ? 'yes' : 'NO',
      ...prefixed('landed', counts(landed)),
      naivePassed: naive.passed ? 'yes' : 'NO',
      ...prefixed('naive', counts(naive)),
      // Which scheduler produced the figure: the comparison is meant to be re-run as it changes.
      landedConcurrency: String((CHAOS_CLIENT_DEFAULTS as Record<string, unknown>).concurrency ?? 'default'),
      clients: size.clients,
      writesPerClient: size.writes,
      windowMs: size.windowMs,
      runMs: run.durationMs,
    };
    if (!landed.passed) {
      process.stderr.write(
        `  WARNING ${ID}: Landed failed the checker (${wrong.join(', ')}); its p99 is not a result\n`,
      );
      // The table alone would show the ratio as met: the run has to fail too.
      process.exitCode = 1;
    }
    // NaN (no writes) or Infinity (a p99 that is a write never answered) would reach scripts/bench.ts
    // as null, which compares as 0 and would meet the target.
    if (!Number.isFinite(ours) || !Number.isFinite(baseline)) {
      process.stderr.write(
        `  WARNING ${ID}: no p99 to compare (ours ${ours}, naive ${baseline}: NaN is no writes, Infinity is over 1% never answered)\n`,
      );
      process.exitCode = 1;
    } else {
      emit({ id: ID, ours, baseline, ratio: ours / baseline, unit: 'ms p99', target: '<= 1.5', notes });
    }
  } finally {
    await toxiproxy.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  // The naive runner's drain leaves its 120 s deadline timer armed after its writes are done, which
  // would hold this process open for two more minutes; the CLI never notices, as it ends with an exit.
  process.exit();
}
