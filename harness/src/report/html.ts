/**
 * The self-contained HTML report: no script, no external asset — one file a QA team can attach to a
 * ticket. Per scenario: what it proves, the verdicts side by side, and the timeline of faults and
 * outcomes.
 */
import { type ClientVerdict, VIOLATIONS } from '../checker/check.ts';
import type { ScenarioRun } from '../scenarios/run-scenario.ts';
import type { RunMeta } from './rerun.ts';
import { millis } from './table.ts';
import { timelineSvg } from './timeline.ts';

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d1d1f;max-width:980px}
h1{font-size:22px}code{font:12px ui-monospace,monospace;background:#f4f4f4;padding:1px 4px}h2{font-size:17px;margin:28px 0 4px}p.m{color:#555;margin:0 0 8px}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 8px;border-bottom:1px solid #e4e4e4;text-align:right}
th:first-child,td:first-child{text-align:left}.pass{color:#1c7c3f;font-weight:600}.fail{color:#c0392b;font-weight:600}
.bad{background:#fdecea}.l{font-size:11px;fill:#333}.t{font-size:10px;fill:#888}.skip{color:#888}
.sum td,.sum th{text-align:center}.sum td:first-child{text-align:left}`;

function row(v: ClientVerdict): string {
  const cell = (n: number, bad: boolean) => `<td class="${bad && n > 0 ? 'bad' : ''}">${n}</td>`;
  return `<tr><td>${v.client}</td><td>${v.writes}</td>${VIOLATIONS.map((k) => cell(v[k], true)).join('')}<td>${v.recovered}</td><td>${v.attemptsPerWrite.toFixed(2)}</td><td>${fmt(v.resolveMsP50)}</td><td>${fmt(v.resolveMsP99)}</td><td class="${v.passed ? 'pass' : 'fail'}">${v.passed ? 'PASS' : 'FAIL'}</td></tr>`;
}
const fmt = millis;

export function htmlReport(runs: readonly ScenarioRun[], meta: RunMeta & { generatedAt: Date }): string {
  const head = `<tr><th>client</th><th>writes</th>${VIOLATIONS.map((k) => `<th>${k}</th>`).join('')}<th>recovered</th><th>att/write</th><th>p50 ms</th><th>p99 ms</th><th></th></tr>`;
  const summary = runs
    .map((r) => {
      if (r.skipped)
        return `<tr><td>${r.name}</td><td colspan="2" class="skip">skipped: ${esc(r.skipped)}</td></tr>`;
      const cell = (c: string) => {
        const v = r.verdicts.find((x) => x.client === c);
        return v
          ? `<td class="${v.passed ? 'pass' : 'fail'}">${v.passed ? 'PASS' : `FAIL (${VIOLATIONS.filter((k) => v[k] > 0).join(', ')})`}</td>`
          : '<td>-</td>';
      };
      return `<tr><td><a href="#${r.name}">${r.name}</a></td>${cell('landed')}${cell('naive')}</tr>`;
    })
    .join('');
  const sections = runs
    .filter((r) => !r.skipped)
    .map((r) => {
      const faults = r.steps.length;
      const extra = [
        `${(r.durationMs / 1000).toFixed(1)} s`,
        `${faults} fault window${faults === 1 ? '' : 's'}`,
      ];
      if (r.appCrashes) extra.push(`${r.appCrashes} app crash${r.appCrashes === 1 ? '' : 'es'}`);
      if (r.clientKills) extra.push(`${r.clientKills} client kills`);
      if (r.seed !== undefined) extra.push(`seed ${r.seed}`);
      return `<h2 id="${r.name}">${r.name}</h2><p class="m">${r.proves ? `${esc(r.proves)} · ` : ''}${extra.join(' · ')}</p>
<table>${head}${r.verdicts.map(row).join('')}</table>${timelineSvg(r.history, r.startedAt)}`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Landed chaos report</title><style>${CSS}</style></head><body>
<h1>Landed chaos report</h1>
<p class="m">Toxiproxy ${esc(meta.toxiproxy.version)} · database ${esc(meta.database)} · seed ${meta.seed} · ${meta.generatedAt.toISOString()}</p>
<p class="m">Arguments: <code>landed-chaos run ${esc(meta.argv.join(' '))}</code><br>Rerun: <code>${esc(meta.rerun)}</code></p>
<table class="sum"><tr><th>scenario</th><th>Landed</th><th>naive (ky + p-retry)</th></tr>${summary}</table>
<p class="m">Timelines: red bars are faults; ticks are attempts (green applied, red refused, amber unknown); dots are final answers (green confirmed, red told "failed", purple expired, black unresolved).</p>
${sections}
</body></html>
`;
}
