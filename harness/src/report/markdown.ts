/**
 * A Markdown summary a CI job can post on a pull request: the verdict in its first line, one row per
 * scenario (Landed, then naive), what went wrong with example write ids, and the rerun command.
 */
import { type ClientVerdict, VIOLATIONS } from '../checker/check.ts';
import { isLanded } from '../checker/history.ts';
import type { ScenarioRun } from '../scenarios/runScenario.ts';
import type { RunMeta } from './rerun.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|');

function verdict(v: ClientVerdict | undefined): string {
  if (!v) return '–';
  const found = VIOLATIONS.filter((k) => v[k] > 0).map((k) => `${v[k]} ${k}`);
  return v.passed ? '✅ pass' : `❌ ${found.join(', ')}`;
}

export function markdownReport(runs: readonly ScenarioRun[], meta: RunMeta): string {
  const failed = runs.filter((r) => r.verdicts.some((v) => isLanded(v.client) && !v.passed));
  const ran = runs.filter((r) => !r.skipped);
  const lines = [
    failed.length
      ? `### ❌ Landed chaos: violations in ${failed.map((r) => `\`${r.name}\``).join(', ')}`
      : `### ✅ Landed chaos: ${ran.length} scenario(s), no write lost, none applied twice, none left unresolved`,
    '',
    `Seed ${meta.seed} · ${meta.database} · Toxiproxy ${meta.toxiproxy.version}`,
    '',
    '| scenario | Landed | naive (no key, no outbox) | Landed p99 ms | attempts/write |',
    '|---|---|---|---:|---:|',
  ];
  for (const r of runs) {
    if (r.skipped) {
      lines.push(`| \`${r.name}\` | skipped: ${cell(r.skipped)} | | | |`);
      continue;
    }
    const landed = r.verdicts.find((v) => v.client === 'landed');
    const naive = r.verdicts.find((v) => v.client === 'naive');
    const p99 =
      landed && Number.isFinite(landed.resolveMsP99) ? String(Math.round(landed.resolveMsP99)) : '–';
    lines.push(
      `| \`${r.name}\` | ${verdict(landed)} | ${verdict(naive)} | ${p99} | ${landed ? landed.attemptsPerWrite.toFixed(2) : '–'} |`,
    );
  }
  for (const r of failed) {
    const v = r.verdicts.find((x) => x.client === 'landed') as ClientVerdict;
    lines.push('', `**${r.name}** (Landed):`);
    for (const k of VIOLATIONS.filter((k) => v[k] > 0))
      lines.push(
        `- ${k}: ${v[k]}${v.examples[k]?.length ? ` — e.g. \`${v.examples[k].join('`, `')}\`` : ''}`,
      );
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
