import { describe, expect, it } from 'vitest';
import type { ClientVerdict } from '../checker/check.ts';
import type { ScenarioRun } from '../scenarios/run-scenario.ts';
import { junitReport } from './junit.ts';
import { markdownReport } from './markdown.ts';
import { type RunMeta, rerunCommand } from './rerun.ts';

const verdict = (client: string, duplicated: number): ClientVerdict => ({
  client,
  writes: 40,
  lost: 0,
  duplicated,
  unexpected: 0,
  phantom: 0,
  wrongPayload: 0,
  inconsistentReplay: 0,
  unresolved: 0,
  recovered: 3,
  confirmed: 40,
  rejected: 0,
  expired: 0,
  attemptsPerWrite: 1.25,
  resolveMsP50: 10,
  resolveMsP99: 812.4,
  passed: duplicated === 0,
  examples: duplicated ? { duplicated: ['landed:0:3', 'landed:1:<7>'] } : {},
});
const run = (name: ScenarioRun['name'], extra: Partial<ScenarioRun>): ScenarioRun => ({
  name,
  steps: [],
  verdicts: [],
  history: [],
  startedAt: 0,
  durationMs: 2_500,
  appCrashes: 0,
  clientKills: 0,
  ...extra,
});
const runs = [
  run('latency', { verdicts: [verdict('landed', 0), verdict('naive', 0)] }),
  run('http-500-after-commit', { verdicts: [verdict('landed', 2), verdict('naive', 12)] }),
  run('db-latency', { skipped: 'needs PostgreSQL: set DATABASE_URL to run it' }),
];
const args = {
  names: ['latency', 'http-500-after-commit', 'db-latency'] as ScenarioRun['name'][],
  seed: 42,
  clients: 2,
  writes: 20,
  randomRuns: 2,
  target: undefined,
  full: false,
};
const meta: RunMeta = {
  toxiproxy: { version: '2.12.0', url: 'http://127.0.0.1:1' },
  seed: 42,
  database: 'sqlite',
  argv: ['--seed', '42', '--scenario', 'latency,http-500-after-commit,db-latency'],
  rerun: rerunCommand(args),
};

describe('rerunCommand', () => {
  it('names the seed, the size and the scenarios (all of them: none)', () => {
    expect(meta.rerun).toBe(
      'npm run chaos -- --scenario latency,http-500-after-commit,db-latency --seed 42 --clients 2 --writes 20',
    );
  });
});

describe('junitReport', () => {
  const xml = junitReport(runs, meta);

  it('has one test case per scenario and client kind; only a Landed violation fails', () => {
    expect(xml).toContain('<testsuites name="landed-chaos" tests="6" failures="1" skipped="2" time="7.500">');
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml).toMatch(/<testcase classname="landed-chaos.latency" name="landed" time="2.500"><system-out>/);
    expect(xml).toMatch(
      /<testcase classname="landed-chaos.db-latency" name="naive" time="0"><skipped message="needs PostgreSQL/,
    );
    // The naive client's damage is the contrast: said, not failed.
    expect(xml).toContain(
      'name="naive" time="2.500"><system-out>40 writes, 40 confirmed, 3 recovered; expected contrast: duplicated: 12',
    );
  });

  it('puts the violations, example ids and the rerun command in the failure text, escaped', () => {
    const failure = /<failure message="([^"]*)" type="violation">([^<]*)<\/failure>/.exec(xml);
    expect(failure?.[1]).toBe('http-500-after-commit: duplicated: 2 (e.g. landed:0:3, landed:1:&lt;7&gt;)');
    expect(failure?.[2]).toBe(`duplicated: 2 (e.g. landed:0:3, landed:1:&lt;7&gt;)\nrerun: ${meta.rerun}`);
    expect(xml).toContain(`<property name="rerun" value="${meta.rerun}"/>`);
  });
});

describe('markdownReport', () => {
  const md = markdownReport(runs, meta);

  it('says the verdict in its first line and gives one row per scenario', () => {
    expect(md.split('\n')[0]).toBe('### ❌ Landed chaos: violations in `http-500-after-commit`');
    expect(md).toContain('| `latency` | ✅ pass | ✅ pass | 812 | 1.25 |');
    expect(md).toContain('| `http-500-after-commit` | ❌ 2 duplicated | ❌ 12 duplicated | 812 | 1.25 |');
    expect(md).toContain('| `db-latency` | skipped: needs PostgreSQL: set DATABASE_URL to run it | | | |');
    expect(md).toContain('- duplicated: 2 — e.g. `landed:0:3`, `landed:1:<7>`');
    expect(md).toContain(`Rerun: \`${meta.rerun}\``);
  });

  it('gives every client kind that ran a column, and details a browser client that failed', () => {
    const kinds = [
      run('latency', {
        verdicts: [verdict('landed', 0), verdict('landed-browser', 3), verdict('offline-transactions', 1)],
      }),
    ];
    const text = markdownReport(kinds, meta);
    expect(text).toContain(
      '| scenario | Landed | `landed-browser` | `offline-transactions` | Landed p99 ms |',
    );
    expect(text).toContain('| `latency` | ✅ pass | ❌ 3 duplicated | ❌ 1 duplicated | 812 | 1.25 |');
    expect(text).toContain('**latency** (landed-browser):');
    expect(text.split('\n')[0]).toBe('### ❌ Landed chaos: violations in `latency`');
  });

  it('is green when Landed is clean, whatever the naive client did', () => {
    expect(markdownReport(runs.slice(0, 1), meta).split('\n')[0]).toBe(
      '### ✅ Landed chaos: 1 scenario(s), no write lost, none applied twice, none left unresolved',
    );
  });
});
