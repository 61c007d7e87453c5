/**
 * The verdict table for the terminal: one line per scenario and client kind, Landed above naive, so
 * the two compare column by column within 100 columns (side by side they took ~140, issue 12).
 */
import type { ClientVerdict } from '../checker/check.ts';
import type { ScenarioRun } from '../scenarios/run-scenario.ts';
import { wrap } from './checklist.ts';

const WIDTH = 100;
const COLS = ['writes', 'lost', 'dup', 'phantom', 'unres', 'other', 'recov', 'att/w', 'p99ms', ''] as const;
const KINDS = [
  ['landed', 'Landed'],
  ['naive', 'naive'],
] as const;

/** A resolve time for the table: `-` with no writes, `never` when the percentile is a write never answered. */
export function millis(ms: number): string {
  if (Number.isNaN(ms)) return '-';
  return Number.isFinite(ms) ? String(Math.round(ms)) : 'never';
}

function cells(v: ClientVerdict | undefined): string[] {
  if (!v) return COLS.map(() => '-');
  const other = v.unexpected + v.wrongPayload + v.inconsistentReplay;
  return [
    String(v.writes),
    String(v.lost),
    String(v.duplicated),
    String(v.phantom),
    String(v.unresolved),
    String(other),
    String(v.recovered),
    v.attemptsPerWrite.toFixed(2),
    millis(v.resolveMsP99),
    v.passed ? 'PASS' : 'FAIL',
  ];
}

export function verdictTable(runs: readonly ScenarioRun[], color = false): string {
  const paint = (text: string, code: number) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  type Row = { cells: string[] } | { name: string; skipped: string };
  const rows = runs.flatMap((r): Row[] =>
    r.skipped
      ? [{ name: r.name, skipped: r.skipped }]
      : KINDS.map(([kind, label], i) => ({
          cells: [i === 0 ? r.name : '', label, ...cells(r.verdicts.find((v) => v.client === kind))],
        })),
  );
  const head = ['scenario', 'client', ...COLS];
  const full = rows.flatMap((r) => ('cells' in r ? [r.cells] : []));
  const names = runs.map((r) => r.name.length);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...(i === 0 ? names : full.map((r) => (r[i] ?? '').length))),
  );
  const fmt = (row: string[]) =>
    row
      .map((c, i) => {
        const padded = i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0);
        if (c === 'PASS') return paint(padded, 32);
        if (c === 'FAIL') return paint(padded, 31);
        return padded;
      })
      .join(' ')
      .trimEnd();
  const header = fmt(head);
  const lines = [header, '─'.repeat(widths.reduce((sum, w) => sum + w + 1, -1))];
  const indent = ' '.repeat((widths[0] ?? 0) + 1);
  for (const row of rows) {
    if ('cells' in row) {
      lines.push(fmt(row.cells));
      continue;
    }
    // A skip reason folds under itself instead of running past the table's right edge.
    const [first = '', ...more] = wrap(`skipped: ${row.skipped}`, indent, WIDTH);
    lines.push(`${row.name.padEnd(widths[0] ?? 0)} ${first.trimStart()}`, ...more);
  }
  lines.push('', ...legend());
  return lines.join('\n');
}

const LEGEND = [
  'naive: ky + p-retry, no key, no outbox',
  'lost: accepted, never applied, nobody told',
  'dup: applied more than once',
  'phantom: told "failed", was applied',
  'unres: no final answer',
  'other: unexpected rows + wrong payload + inconsistent replay',
  'recov: recovered after a fault',
  'att/w: attempts per write',
  'p99ms: 99th percentile time to a final answer',
];

/** The legend, folded between its items, never inside one. */
function legend(): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of LEGEND) {
    if (line && line.length + 3 + item.length > WIDTH) {
      lines.push(line);
      line = item;
    } else line = line ? `${line} · ${item}` : item;
  }
  if (line) lines.push(line);
  return lines;
}
