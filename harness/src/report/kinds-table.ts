/**
 * The verdict table of a run with client kinds beyond Landed and naive (`--client-kinds`): one row
 * per scenario, one column per kind, each cell `lost/dup/unres att/w` — what a person comparing
 * libraries asks first — with `*` when another violation (phantom, unexpected, wrong payload,
 * inconsistent replay) is there too, and `-` where the kind did not run.
 */
import type { ClientVerdict } from '../checker/check.ts';
import type { ScenarioRun } from '../scenarios/run-scenario.ts';
import { wrap } from './checklist.ts';

/** Short column heads, so seven kinds fit beside the scenario names. */
const SHORT: Record<string, string> = {
  landed: 'landed',
  'landed-browser': 'landed-br',
  naive: 'naive',
  'ky-retry-key-per-attempt': 'ky-attempt',
  'ky-retry-key-per-write': 'ky-write',
  'offline-transactions': 'tanstack',
  'redux-offline': 'redux-off',
  'workbox-background-sync': 'workbox',
};

export function isDefaultPair(kinds: readonly string[]): boolean {
  return kinds.length === 2 && kinds.includes('landed') && kinds.includes('naive');
}

export function cell(v: ClientVerdict | undefined): string {
  if (!v) return '-';
  const other = v.phantom + v.unexpected + v.wrongPayload + v.inconsistentReplay;
  return `${v.lost}/${v.duplicated}/${v.unresolved} ${v.attemptsPerWrite.toFixed(2)}${other > 0 ? '*' : ''}`;
}

export function kindsTable(runs: readonly ScenarioRun[], kinds: readonly string[]): string {
  const head = ['scenario', ...kinds.map((k) => SHORT[k] ?? k)];
  const rows = runs.map((r) =>
    r.skipped
      ? [r.name, `skipped: ${r.skipped}`]
      : [r.name, ...kinds.map((k) => cell(r.verdicts.find((v) => v.client === k)))],
  );
  const full = rows.filter((r) => r.length === head.length);
  const widths = head.map((h, i) => Math.max(h.length, ...full.map((r) => (r[i] ?? '').length)));
  const fmt = (row: string[]) =>
    row
      .map((c, i) => (i === 0 ? c.padEnd(widths[0] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join(' ')
      .trimEnd();
  const lines = [fmt(head), '─'.repeat(widths.reduce((sum, w) => sum + w + 1, -1))];
  for (const row of rows)
    lines.push(row.length === head.length ? fmt(row) : `${(row[0] ?? '').padEnd(widths[0] ?? 0)} ${row[1]}`);
  lines.push(
    '',
    'each cell: lost/duplicated/unresolved attempts-per-write; * another violation too (phantom: told',
    '"failed", was applied; unexpected; wrong payload; inconsistent replay); - the kind did not run',
    ...wrap(`kinds: ${kinds.map((k) => `${SHORT[k] ?? k} = ${k}`).join(', ')}`, '  ', 100),
  );
  return lines.join('\n');
}
