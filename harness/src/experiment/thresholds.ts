/**
 * The steady-state hypothesis: each threshold of the experiment against what the Checker measured.
 * A verdict passes when every one holds; with the default thresholds (every count 0) that is exactly
 * when the Checker found no violation.
 */
import type { ClientVerdict } from '../checker/check.ts';
import type { Thresholds } from './Experiment.ts';

export interface Measure {
  name: string;
  value: number;
  limit: number;
  unit: string;
  held: boolean;
  note?: string;
}

export function judge(verdict: ClientVerdict, thresholds: Thresholds, duplicatesVisible: boolean): Measure[] {
  const count = (name: string, value: number, limit: number, note?: string): Measure => ({
    name,
    value,
    limit,
    unit: '',
    held: value <= limit,
    ...(note ? { note } : {}),
  });
  const measures = [
    count('lost', verdict.lost + verdict.phantom, thresholds.maxLost),
    count(
      'duplicated',
      verdict.duplicated,
      thresholds.maxDuplicated,
      duplicatesVisible
        ? undefined
        : 'a GET route shows one body per write: verify with "sql" or "ledger" to see duplicates',
    ),
    count('unresolved', verdict.unresolved, thresholds.maxUnresolved),
    count('wrong payload', verdict.wrongPayload, thresholds.maxWrongPayload),
    count('unexpected', verdict.unexpected, thresholds.maxUnexpected),
    count('inconsistent replay', verdict.inconsistentReplay, thresholds.maxInconsistentReplay),
  ];
  if (thresholds.p99Ms !== undefined)
    measures.push({
      name: 'p99 final answer',
      value: Math.round(verdict.resolveMsP99),
      limit: thresholds.p99Ms,
      unit: ' ms',
      held: verdict.resolveMsP99 <= thresholds.p99Ms,
    });
  if (thresholds.maxAttemptsPerWrite !== undefined)
    measures.push({
      name: 'attempts per write',
      value: Math.round(verdict.attemptsPerWrite * 100) / 100,
      limit: thresholds.maxAttemptsPerWrite,
      unit: '',
      held: verdict.attemptsPerWrite <= thresholds.maxAttemptsPerWrite,
    });
  return measures;
}
