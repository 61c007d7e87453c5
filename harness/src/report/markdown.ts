/**
 * A Markdown summary a CI job can post on a pull request: the verdict in its first line, one row per
 * scenario (one column per client kind: Landed and naive by default), what went wrong with example write ids, and the rerun command.
 */
import { type ClientVerdict, VIOLATIONS } from '../checker/check.ts';
import { isLanded } from '../checker/history.ts';
import type { ScenarioRun } from '../scenarios/run-scenario.ts';
import type { RunMeta } from './rerun.ts';
import { millis } from './table.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|');

function verdict(v: ClientVerdict | undefined): string {
  if (!v) return '–';
  const found = VIOLATIONS.filter((k) => v[k] > 0).map((k) => `${v[k]} ${k}`);
  return v.passed ? '✅ pass' : `❌ ${found.join(', ')}`;
}

/** Column titles of the two default kinds; any other kind (`--client-kinds`) is titled by its name. */
const TITLES: Readonly<Record<string, string>> = { landed: 'Landed', naive: 'naive (no key, no outbox)' };
const columnTitle = (kind: string) => TITLES[kind] ?? `\`${kind}\``;

export function markdownReport(runs: readonly ScenarioRun[], meta: RunMeta): string {
  // One column per client kind that ran, in the order the runs list them (landed and naive by default).
  const kinds = [...new Set(runs.flatMap((r) => r.verdicts.map((v) => v.client as string)))];
  if (kinds.length === 0) kinds.push('landed', 'naive');
  const failed = runs.filter((r) => r.verdicts.some((v) => isLanded(v.client) && !v.passed));
  const ran = runs.filter((r) => !r.skipped);
  const lines = [
    failed.length
      ? `### ❌ Landed chaos: violations in ${failed.map((r) => `\`${r.name}\``).join(', ')}`
      : `### ✅ Landed chaos: ${ran.length} scenario(s), no write lost, none applied twice, none left unresolved`,
    '',
    `Seed ${meta.seed} · ${meta.database} · Toxiproxy ${meta.toxiproxy.version}`,
    '',
    `| scenario | ${kinds.map(columnTitle).join(' | ')} | Landed p99 ms | attempts/write |`,
    `|---|${kinds.map(() => '---|').join('')}---:|---:|`,
  ];
  for (const r of runs) {
    if (r.skipped) {
      lines.push(`| \`${r.name}\` | skipped: ${cell(r.skipped)} |${kinds.map(() => ' |').join('')} |`);
      continue;
    }
    const landed =
      r.verdicts.find((v) => v.client === 'landed') ?? r.verdicts.find((v) => isLanded(v.client));
    const p99 = !landed || Number.isNaN(landed.resolveMsP99) ? '–' : millis(landed.resolveMsP99);
    const cells = kinds.map((kind) => verdict(r.verdicts.find((v) => v.client === kind)));
    lines.push(
      `| \`${r.name}\` | ${cells.join(' | ')} | ${p99} | ${landed ? landed.attemptsPerWrite.toFixed(2) : '–'} |`,
    );
  }
  for (const r of failed) {
    for (const v of r.verdicts.filter((x) => isLanded(x.client) && !x.passed)) {
      lines.push('', `**${r.name}** (${v.client === 'landed' ? 'Landed' : v.client}):`);
      for (const k of VIOLATIONS.filter((k) => v[k] > 0))
        lines.push(
          `- ${k}: ${v[k]}${v.examples[k]?.length ? ` — e.g. \`${v.examples[k].join('`, `')}\`` : ''}`,
        );
    }
  }
  lines.push(
    '',
    "The naive client's failures are the expected contrast (the same faults on a client without a key or an outbox); only Landed's decide the run.",
    '',
    `Rerun: \`${meta.rerun}\``,
    '',
  );
  return lines.join('\n');
}
