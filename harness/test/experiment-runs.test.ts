/**
 * One runner for every experiment: the default run is the museum file run like any other
 * (`--experiment harness/experiments/museum.yaml` plays the same schedule for a seed and reports the
 * same), and an experiment file of one's own gets the same reports as the default run — HTML by
 * default under reports/, JSON, JUnit and Markdown when asked. Real CLI, real Toxiproxy.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';
import { ROOT, runCli } from './support/cli.ts';
import { startExpressOrders } from './support/express-orders.ts';

let toxiproxy: ToxiproxyServer;
let dir: string;

beforeAll(async () => {
  toxiproxy = await startToxiproxy({ root: ROOT });
  dir = mkdtempSync(join(tmpdir(), 'landed-experiment-runs-'));
});

afterAll(async () => {
  await toxiproxy?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Row = { name: string; client: string; writes: number; confirmed: number; passed: boolean };

describe('the default run reads harness/experiments/museum.yaml', () => {
  it('plays the same mixed schedule for a seed with and without --experiment, and reports the same', async () => {
    const args = ['--scenario', 'mixed', '--seed', '7', '--clients', '1', '--writes', '5', '--html', 'none'];
    const env = { TOXIPROXY_URL: toxiproxy.url };
    const [byDefault, byFile] = [
      await runCli(['run', ...args, '--json', join(dir, 'default.json')], env),
      await runCli(
        ['run', '--experiment', 'harness/experiments/museum.yaml', ...args, '--json', join(dir, 'file.json')],
        env,
      ),
    ];
    for (const r of [byDefault, byFile]) {
      expect(r.code, r.output).toBe(0);
      expect(r.stderr).toContain('Experiment museum: 1 client(s) of each kind (Landed, naive) × 5 writes');
    }
    // The faults as they started, in the order of the schedule's windows.
    const started = (output: string) =>
      output
        .split('\n')
        .filter((l) => / s {2}start /.test(l))
        .map((l) => l.replace(/^.* s {2}start /, ''))
        .sort();
    expect(started(byDefault.stderr).length).toBeGreaterThanOrEqual(6);
    expect(started(byFile.stderr)).toEqual(started(byDefault.stderr));
    const rows = (file: string) =>
      (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { scenarios: Row[] }).scenarios.map((s) => ({
        name: s.name,
        client: s.client,
        writes: s.writes,
        ...(s.client === 'landed' ? { confirmed: s.confirmed, passed: s.passed } : {}),
      }));
    expect(rows('default.json')).toEqual([
      { name: 'mixed', client: 'landed', writes: 5, confirmed: 5, passed: true },
      { name: 'mixed', client: 'naive', writes: 5 },
    ]);
    expect(rows('file.json')).toEqual(rows('default.json'));
    // Whoever reruns a run of the file reruns the file.
    const rerun = (file: string) =>
      (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { rerun: string }).rerun;
    expect(rerun('default.json')).toBe('npm run chaos -- --scenario mixed --seed 7 --clients 1 --writes 5');
    expect(rerun('file.json')).toBe(
      'npm run chaos -- --experiment harness/experiments/museum.yaml --scenario mixed --seed 7 --clients 1 --writes 5',
    );
  }, 120_000);
});

describe('an experiment file of your own', () => {
  it('writes the HTML report to reports/chaos-<seed>.html by default, and JSON, JUnit and Markdown when asked', async () => {
    await using app = await startExpressOrders({ ledger: true });
    const file = join(dir, 'orders.yaml');
    writeFileSync(
      file,
      `target: ${app.url}
writes: { count: 6, path: /orders, body: { id: "{{writeId}}" }, spreadMs: 300 }
verify: { ledger: true }
faults: [{ toxic: timeout, attributes: { timeout: 200 }, start: 0, duration: 300 }]
`,
    );
    const cwd = mkdtempSync(join(tmpdir(), 'landed-experiment-reports-'));
    try {
      const r = await runCli(
        [
          'run',
          '--experiment',
          file,
          '--seed',
          '9',
          '--json',
          'out/r.json',
          '--junit',
          'out/j.xml',
          '--markdown',
          'out/m.md',
        ],
        { TOXIPROXY_URL: toxiproxy.url },
        cwd,
      );
      expect(r.code, r.output).toBe(0);
      expect(r.stdout).toContain('PASS: every threshold held.');
      for (const written of ['reports/chaos-9.html', 'out/r.json', 'out/j.xml', 'out/m.md'])
        expect(r.stderr).toContain(`wrote ${written}`);
      const html = readFileSync(join(cwd, 'reports/chaos-9.html'), 'utf8');
      expect(html).toContain('<h2 id="orders">orders</h2>');
      expect(html).toContain(
        `Rerun: <code>npm run chaos -- --experiment ${file} --seed 9 --clients 1 --writes 6</code>`,
      );
      const json = JSON.parse(readFileSync(join(cwd, 'out/r.json'), 'utf8')) as {
        seed: number;
        scenarios: Row[];
      };
      expect(json.seed).toBe(9);
      expect(json.scenarios).toMatchObject([
        { name: 'orders', client: 'landed', writes: 6, confirmed: 6, passed: true },
      ]);
      expect(readFileSync(join(cwd, 'out/j.xml'), 'utf8')).toMatch(
        /<testcase classname="landed-chaos.orders" name="landed" time="[\d.]+">/,
      );
      expect(readFileSync(join(cwd, 'out/m.md'), 'utf8').split('\n')[0]).toBe(
        '### ✅ Landed chaos: 1 scenario(s), no write lost, none applied twice, none left unresolved',
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
