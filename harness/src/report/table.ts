/** The verdict table for the terminal: Landed and naive side by side, one line per scenario. */
import type { ClientVerdict } from '../checker/check.ts';
import type { ScenarioRun } from '../scenarios/runScenario.ts';

const COLS = ['writes', 'lost', 'dup', 'phantom', 'unres', 'other', 'recov', 'att/w', 'p99ms', ''] as const;

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
    Number.isNaN(v.resolveMsP99) ? '-' : String(Math.round(v.resolveMsP99)),
    v.passed ? 'PASS' : 'FAIL',
  ];
}

export function verdictTable(runs: readonly ScenarioRun[], color = false): string {
  const paint = (text: string, code: number) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const rows: string[][] = runs.map((r) => {
    if (r.skipped) return [r.name, `skipped: ${r.skipped}`];
    return [
      r.name,
      ...cells(r.verdicts.find((v) => v.client === 'landed')),
      '│',
      ...cells(r.verdicts.find((v) => v.client === 'naive')),
    ];
  });
  const head = ['scenario', ...COLS, '│', ...COLS];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.filter((r) => r.length > 2).map((r) => (r[i] ?? '').length)),
  );
  const fmt = (row: string[]) =>
    row
      .map((c, i) => {
        const padded = i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0);
        if (c === 'PASS') return paint(padded, 32);
        if (c === 'FAIL') return paint(padded, 31);
        return padded;
      })
      .join(' ');
  const landedWidth = widths.slice(1, 1 + COLS.length).reduce((a, b) => a + b + 1, -1);
  const title = `${''.padEnd(widths[0] ?? 0)} ${'Landed'.padEnd(landedWidth)} │ naive (ky + p-retry, no key, no outbox)`;
  const lines = [title, fmt(head), '─'.repeat(fmt(head).length)];
  for (const row of rows)
    lines.push(row.length === 2 ? `${(row[0] ?? '').padEnd(widths[0] ?? 0)} ${row[1]}` : fmt(row));
  lines.push(
    '',
    'lost: accepted, never applied, nobody told · dup: applied more than once · phantom: told "failed", was applied',
  );
  lines.push(
    'unres: no final answer · other: unexpected rows + wrong payload + inconsistent replay · recov: recovered after a fault',
  );
  return lines.join('\n');
}
