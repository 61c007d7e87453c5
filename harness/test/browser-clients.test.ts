/**
 * `landed-browser` clients for real: Landed's browser build in Debian's Chromium (IndexedDB outbox,
 * Web Locks), through the real Toxiproxy to the real reference app on SQLite, under each browser
 * fault of harness/experiments/browser.yaml, run as `landed-chaos run --experiment` runs it. Small
 * size (one browser client, 15 writes, a 3 s window: about 10 s a scenario) so CI stays quick; the
 * Checker's counters are the verdict, as for every other client kind.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIOLATIONS } from '../src/checker/check.ts';
import type { FaultOp } from '../src/checker/history.ts';
import { loadExperiment } from '../src/experiment/load.ts';
import { runExperiment } from '../src/experiment/run-experiment.ts';
import type { ScenarioRun } from '../src/scenarios/run-scenario.ts';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';
import { ROOT, runCli } from './support/cli.ts';

const FILE = join(ROOT, 'harness/experiments/browser.yaml');
let toxiproxy: ToxiproxyServer;
let workDir: string;
let runs: ScenarioRun[];

beforeAll(async () => {
  toxiproxy = await startToxiproxy({ root: resolve(import.meta.dirname, '../..') });
  workDir = mkdtempSync(join(tmpdir(), 'landed-browser-chaos-'));
  runs = await runExperiment(
    loadExperiment(FILE),
    { toxiproxy, workDir },
    { clients: 1, writes: 15, seed: 1, rerun: (s) => `seed ${s}`, log: (l) => console.log(l) },
  );
}, 240_000);

afterAll(async () => {
  await toxiproxy?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const runOf = (name: string) => {
  const run = runs.find((r) => r.name === name);
  if (!run) throw new Error(`no run of ${name}`);
  return run;
};

function expectClean(run: ScenarioRun): void {
  const v = run.verdicts.find((x) => x.client === 'landed-browser');
  expect(v?.writes).toBe(15);
  expect(v?.confirmed).toBe(15);
  // Each counter with its example write ids, so a failure says which writes to look up.
  const violations = Object.fromEntries(VIOLATIONS.map((k) => [k, v?.[k] ? v.examples[k] : 0]));
  expect(violations).toEqual(Object.fromEntries(VIOLATIONS.map((k) => [k, 0])));
}

/** Browser faults the Nemesis started and stopped, by label ("(not applied: …)" would show here). */
function browserFaults(run: ScenarioRun): string[] {
  return run.history
    .filter(
      (op): op is FaultOp => op.type === 'fault' && op.phase === 'stop' && !op.name.startsWith('latency'),
    )
    .map((op) => op.name);
}

/** Writes accepted while the fault of that label was on. */
function acceptedDuring(run: ScenarioRun, fault: string): number {
  let on = false;
  let n = 0;
  for (const op of run.history) {
    if (op.type === 'fault' && op.name === fault) on = op.phase === 'start';
    else if (on && op.type === 'enqueue') n++;
  }
  return n;
}

describe('landed-browser under browser faults (real Chromium, Toxiproxy, reference app)', () => {
  it('tab-reload: three reloads with writes on the wire; each write lands once, none is lost or left', () => {
    const run = runOf('tab-reload');
    expect(browserFaults(run)).toEqual(Array(3).fill('browser reload-tabs'));
    expectClean(run);
  });

  it('tab-crash: two renderer crashes and a SIGKILLed browser relaunched on its profile; each write lands once', () => {
    const run = runOf('tab-crash');
    expect(browserFaults(run).sort()).toEqual([
      'browser crash-tabs',
      'browser crash-tabs',
      'browser kill-browser',
    ]);
    expectClean(run);
  });

  it('multi-tab: three tabs of one origin, the sending tab closed three times; each write lands once', () => {
    const run = runOf('multi-tab');
    expect(browserFaults(run)).toEqual(['3 tabs', ...Array(3).fill('browser close-leader')]);
    expectClean(run);
  });

  it('offline: writes accepted while offline wait and land once when the browser is back', () => {
    const run = runOf('offline');
    expect(acceptedDuring(run, 'browser offline')).toBeGreaterThan(0);
    expectClean(run);
  });

  it('browser-mixed: every browser fault with server and proxy faults in three tabs; each write lands once', () => {
    const run = runOf('browser-mixed');
    expect(
      browserFaults(run)
        .filter((f) => f.startsWith('browser'))
        .sort(),
    ).toEqual([
      'browser close-leader',
      'browser close-leader',
      'browser crash-tabs',
      'browser kill-browser',
      'browser offline',
      'browser offline',
      'browser reload-tabs',
    ]);
    expectClean(run);
  });

  it('the CLI runs a browser scenario with the kind in the JSON; a Chromium that cannot start is one line, exit 2', async () => {
    const json = join(workDir, 'browser.json');
    const ok = await runCli([
      'run',
      '--experiment',
      FILE,
      '--scenario',
      'tab-reload',
      '--clients',
      '1',
      '--writes',
      '10',
      '--html',
      'none',
      '--json',
      json,
    ]);
    expect(ok.code, ok.output).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      scenarios: { name: string; kind: string; writes: number; passed: boolean }[];
    };
    expect(report.scenarios).toMatchObject([
      { name: 'tab-reload', kind: 'landed-browser', writes: 10, passed: true },
    ]);

    const bad = await runCli(['run', '--experiment', FILE, '--html', 'none'], {
      CHROMIUM_PATH: join(workDir, 'no-chromium-here'),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^landed-chaos: CHROMIUM_NOT_STARTED: .*no-chromium-here.*CHROMIUM_PATH/);
  }, 120_000);
});
