/** Adds up the verdicts of several runs of one scenario (the schedules `random` tried). */
import { type ClientVerdict, VIOLATIONS } from '../checker/check.ts';

const COUNTS = ['writes', ...VIOLATIONS, 'recovered', 'confirmed', 'rejected', 'expired'] as const;

export function mergeVerdicts(runs: readonly ClientVerdict[][]): ClientVerdict[] {
  const byClient = new Map<string, ClientVerdict>();
  for (const verdicts of runs) {
    for (const v of verdicts) {
      const m = byClient.get(v.client);
      if (!m) {
        byClient.set(v.client, { ...v, examples: { ...v.examples } });
        continue;
      }
      const attempts = m.attemptsPerWrite * m.writes + v.attemptsPerWrite * v.writes;
      for (const k of COUNTS) m[k] += v[k];
      m.attemptsPerWrite = m.writes === 0 ? 0 : attempts / m.writes;
      // Percentiles do not add up: keep the worst run's, which is what a person needs to see.
      m.resolveMsP50 = Math.max(m.resolveMsP50, v.resolveMsP50);
      m.resolveMsP99 = Math.max(m.resolveMsP99, v.resolveMsP99);
      m.passed = m.passed && v.passed;
      for (const k of VIOLATIONS) if (!m.examples[k] && v.examples[k]) m.examples[k] = v.examples[k];
    }
  }
  return [...byClient.values()];
}
