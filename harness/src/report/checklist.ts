/** The conformance checklist as a person reads it in a terminal: within 100 columns, one block per check. */
import type { CheckStatus } from '../conform/checks.ts';
import type { ConformReport } from '../conform/conform.ts';
import { describeExchange } from '../conform/exchange.ts';

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', 'n/a': 'N/A ' };
const COLOR: Record<CheckStatus, string> = { pass: '32', fail: '31', 'n/a': '33' };
const INDENT = '        ';
const WIDTH = 100;

export function checklist(report: ConformReport, color = false): string {
  const paint = (s: CheckStatus, text: string) => (color ? `\x1b[${COLOR[s]}m${text}\x1b[0m` : text);
  const lines = [`Landed protocol conformance: ${report.target}, writes to POST ${report.path}`, ''];
  if (report.refused) {
    lines.push(
      ...wrap(
        'Nothing could be checked: the first probe write was not accepted. Pass --path and --body of a write route that accepts this body (put {{writeId}} where each write carries its own id).',
        '  ',
      ),
      ...describeExchange(report.refused, WIDTH - 4).map((l) => `    ${l}`),
    );
    return lines.join('\n');
  }
  for (const check of report.checks) {
    lines.push(`  ${paint(check.status, LABEL[check.status])}  ${check.id.padEnd(17)} ${check.title}`);
    lines.push(...wrap(check.why, INDENT));
    for (const e of check.decidedBy)
      lines.push(...describeExchange(e, WIDTH - INDENT.length).map((l) => INDENT + l));
  }
  const count = (s: CheckStatus) => report.checks.filter((c) => c.status === s).length;
  lines.push(
    '',
    `${report.checks.length} checks: ${count('pass')} pass, ${count('fail')} fail, ${count('n/a')} not applicable.`,
  );
  return lines.join('\n');
}

/** Words folded to the width, each line starting with `indent`. */
export function wrap(text: string, indent: string, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  if (line.length > indent.length) lines.push(line);
  return lines;
}
