/** The machine-readable report: one object per scenario and client, counters flat. */
import type { ScenarioRun } from '../scenarios/run-scenario.ts';

export interface JsonReport {
  toxiproxy: { version: string; url: string };
  seed: number;
  database: 'sqlite' | 'postgres' | 'target';
  /** The arguments as given, and the command that runs the same matrix again. */
  argv?: readonly string[];
  rerun?: string;
  scenarios: Record<string, unknown>[];
}

export function jsonReport(runs: readonly ScenarioRun[], meta: Omit<JsonReport, 'scenarios'>): JsonReport {
  const scenarios: Record<string, unknown>[] = [];
  for (const run of runs) {
    if (run.skipped) {
      scenarios.push({ name: run.name, skipped: run.skipped });
      continue;
    }
    for (const v of run.verdicts) {
      const { examples, client, ...counters } = v;
      scenarios.push({
        name: run.name,
        client,
        // The client kind (harness/src/clients/kinds.ts); `client` is the same, kept for older readers.
        kind: client,
        ...counters,
        resolveMsP50: finite(v.resolveMsP50),
        resolveMsP99: finite(v.resolveMsP99),
        durationMs: run.durationMs,
        appCrashes: run.appCrashes,
        clientKills: run.clientKills,
        ...(run.seed === undefined ? {} : { seed: run.seed }),
        ...(Object.keys(examples).length ? { examples } : {}),
      });
    }
  }
  return { ...meta, scenarios };
}

const finite = (n: number) => (Number.isFinite(n) ? Math.round(n) : null);
