/**
 * The JUnit XML report CI systems read: one test case per scenario and client kind. A Landed case
 * fails on any violation, with the violations, example write ids and the rerun command in the
 * failure text. A naive case never fails — its damage is the expected contrast, not a regression —
 * and lists that damage in its output instead; a skipped scenario is skipped.
 */
import { type ClientVerdict, VIOLATIONS } from '../checker/check.ts';
import { isLanded } from '../checker/history.ts';
import type { ScenarioRun } from '../scenarios/run-scenario.ts';
import type { RunMeta } from './rerun.ts';

const xml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );

function violations(v: ClientVerdict): string[] {
  return VIOLATIONS.filter((k) => v[k] > 0).map((k) => {
    const examples = v.examples[k];
    return `${k}: ${v[k]}${examples?.length ? ` (e.g. ${examples.join(', ')})` : ''}`;
  });
}

export function junitReport(runs: readonly ScenarioRun[], meta: RunMeta): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  let tests = 0;
  for (const run of runs) {
    const seconds = (run.durationMs / 1000).toFixed(3);
    if (run.skipped) {
      for (const kind of ['landed', 'naive']) {
        tests++;
        skipped++;
        cases.push(
          `    <testcase classname="landed-chaos.${run.name}" name="${kind}" time="0"><skipped message="${xml(run.skipped)}"/></testcase>`,
        );
      }
      continue;
    }
    for (const v of run.verdicts) {
      tests++;
      const found = violations(v);
      const open = `    <testcase classname="landed-chaos.${run.name}" name="${xml(v.client)}" time="${seconds}">`;
      if (isLanded(v.client) && !v.passed) {
        failures++;
        const text = [...found, `rerun: ${meta.rerun}`].join('\n');
        cases.push(
          `${open}<failure message="${xml(`${run.name}: ${found.join('; ')}`)}" type="violation">${xml(text)}</failure></testcase>`,
        );
      } else {
        const said = `${v.writes} writes, ${v.confirmed} confirmed, ${v.recovered} recovered${found.length ? `; expected contrast: ${found.join('; ')}` : ''}`;
        cases.push(`${open}<system-out>${xml(said)}</system-out></testcase>`);
      }
    }
  }
  const total = runs.reduce((s, r) => s + r.durationMs, 0) / 1000;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="landed-chaos" tests="${tests}" failures="${failures}" skipped="${skipped}" time="${total.toFixed(3)}">
  <testsuite name="landed-chaos (seed ${meta.seed}, ${xml(meta.database)}, Toxiproxy ${xml(meta.toxiproxy.version)})" tests="${tests}" failures="${failures}" skipped="${skipped}" time="${total.toFixed(3)}">
    <properties>
      <property name="seed" value="${meta.seed}"/>
      <property name="rerun" value="${xml(meta.rerun)}"/>
      <property name="argv" value="${xml(meta.argv.join(' '))}"/>
    </properties>
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
