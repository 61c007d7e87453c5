/**
 * CI-sized chaos run through the real Toxiproxy and the real reference app: Landed must come out
 * clean on every scenario, and the naive client must show the damage the same faults do to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIOLATIONS } from '../src/checker/check.ts';
import { loadMuseum } from '../src/experiment/load.ts';
import { runExperiment } from '../src/experiment/run-experiment.ts';
import type { ScenarioRun } from '../src/scenarios/run-scenario.ts';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';

type ScenarioName = string;
const NAMES: ScenarioName[] = [
  'timeout-downstream',
  'http-500-after-commit',
  'reset-downstream',
  'crash-after-commit',
  'client-kill',
  'outage',
  'mixed',
];
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

let toxiproxy: ToxiproxyServer;
let workDir: string;
let runs: ScenarioRun[];

beforeAll(async () => {
  console.log(`chaos matrix seed=${seed} (rerun with FC_SEED=${seed})`);
  toxiproxy = await startToxiproxy({ root: resolve(import.meta.dirname, '../..') });
  workDir = mkdtempSync(join(tmpdir(), 'landed-chaos-test-'));
  // The museum matrix (harness/experiments/museum.yaml) at 2 clients of each kind × 15 writes: a
  // 3 s window (its minimum) and its 30 s drain.
  runs = await runExperiment(
    loadMuseum(),
    { toxiproxy, workDir, postgresUrl: undefined },
    {
      names: NAMES,
      clients: 2,
      writes: 15,
      seed,
      runs: 1,
      rerun: (s) => `FC_SEED=${s}`,
      log: (l) => console.log(l),
    },
  );
}, 170_000);

afterAll(async () => {
  await toxiproxy?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const verdict = (name: ScenarioName, client: string) => {
  const v = runs.find((r) => r.name === name)?.verdicts.find((x) => x.client === client);
  if (!v) throw new Error(`no ${client} verdict for ${name}`);
  return v;
};

describe('chaos matrix (real Toxiproxy, real app, real SQLite)', () => {
  it('reports the real Toxiproxy version', () => {
    expect(toxiproxy.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each(NAMES)('Landed: %s — every write landed exactly once and was answered', (name) => {
    const v = verdict(name, 'landed');
    const violations = Object.fromEntries(VIOLATIONS.map((k) => [k, v[k]]));
    expect(violations).toEqual(Object.fromEntries(VIOLATIONS.map((k) => [k, 0])));
    expect(v.writes).toBe(30);
    expect(v.confirmed).toBe(30);
  });

  // The same faults, without a key or an outbox: applied twice, told "failed" although applied, or
  // forgotten by a killed process: lost (and unanswered) if it never reached the server, unanswered
  // if it did. Which of the two a kill leaves depends on where each write was; a small run can show
  // only the second.
  it.each([
    'http-500-after-commit',
    'timeout-downstream',
    'reset-downstream',
    'crash-after-commit',
    'client-kill',
  ] as const)('naive: %s applies writes twice, loses them or leaves them unanswered', (name) => {
    const v = verdict(name, 'naive');
    expect(v.duplicated + v.lost + v.phantom + v.unresolved).toBeGreaterThan(0);
    expect(v.passed).toBe(false);
  });

  it('the faults really happened: Landed needed retries, the app crashed, clients were killed', () => {
    expect(verdict('http-500-after-commit', 'landed').recovered).toBeGreaterThan(0);
    expect(runs.find((r) => r.name === 'crash-after-commit')?.appCrashes).toBeGreaterThan(0);
    expect(runs.find((r) => r.name === 'client-kill')?.clientKills).toBeGreaterThan(0);
  });
});
