import { describe, expect, it } from 'vitest';
import type { ClientVerdict } from '../checker/check.ts';
import type { ScenarioRun } from '../scenarios/run-scenario.ts';
import { verdictTable } from './table.ts';

const verdict = (client: string, duplicated: number): ClientVerdict => ({
  client,
  writes: 10_000,
  lost: 309,
  duplicated,
  unexpected: 0,
  phantom: 2_581,
  wrongPayload: 0,
  inconsistentReplay: 0,
  unresolved: 470,
  recovered: 3_370,
  confirmed: 10_000,
  rejected: 0,
  expired: 0,
  attemptsPerWrite: 3.47,
  resolveMsP50: 1_000,
  resolveMsP99: 34_947,
  passed: duplicated === 0,
  examples: {},
});
const run = (name: ScenarioRun['name'], extra: Partial<ScenarioRun>): ScenarioRun => ({
  name,
  steps: [],
  verdicts: [],
  history: [],
  startedAt: 0,
  durationMs: 0,
  appCrashes: 0,
  clientKills: 0,
  ...extra,
});

describe('verdictTable', () => {
  const table = verdictTable([
    run('http-500-before-commit', { verdicts: [verdict('landed', 0), verdict('naive', 4_030)] }),
    run('db-outage', {
      skipped: 'the database of a --target server is not behind the harness, so no fault can reach it here',
    }),
  ]);

  it('fits 100 columns at release size, a long skip reason folded under itself', () => {
    for (const line of table.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(table).toContain('db-outage              skipped: the database of a --target server');
    expect(table).toMatch(/\n {23}\S/);
  });

  it('puts Landed above naive, column by column', () => {
    const lines = table.split('\n');
    const landed = lines.find((l) => l.startsWith('http-500-before-commit Landed'));
    const naive = lines[lines.indexOf(landed as string) + 1];
    expect(landed).toMatch(/Landed +10000 +309 +0 +2581 +470 +0 +3370 +3\.47 +34947 PASS$/);
    expect(naive).toMatch(/^ {23}naive +10000 +309 +4030 +2581 +470 +0 +3370 +3\.47 +34947 FAIL$/);
    expect(landed?.length).toBe(naive?.length);
  });

  it('shows a p99 that is a write never answered as "never"', () => {
    const stranded = { ...verdict('naive', 0), resolveMsP99: Number.POSITIVE_INFINITY };
    const lines = verdictTable([run('client-kill', { verdicts: [verdict('landed', 0), stranded] })]).split(
      '\n',
    );
    const naive = lines.find((l) => /^ +naive /.test(l));
    expect(naive).toMatch(/ never PASS$/);
  });
});
