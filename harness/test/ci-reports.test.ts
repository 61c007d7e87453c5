/**
 * The reports a CI job keeps, from a real run (real Toxiproxy, real reference app): the HTML report
 * by default under reports/ with its path printed, JUnit and Markdown where asked, and progress
 * inside the scenario in a CI log.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';
import { type CliResult, ROOT, runCli } from './support/cli.ts';

let toxiproxy: ToxiproxyServer;
let dir: string;
let result: CliResult;
const args = [
  'run',
  '--scenario',
  'http-500-after-commit',
  '--clients',
  '1',
  '--writes',
  '10',
  '--seed',
  '5',
];

beforeAll(async () => {
  toxiproxy = await startToxiproxy({ root: ROOT });
  dir = mkdtempSync(join(tmpdir(), 'landed-ci-reports-'));
  result = await runCli(
    [...args, '--junit', 'out/junit.xml', '--markdown', 'out/summary.md'],
    { TOXIPROXY_URL: toxiproxy.url },
    dir,
  );
}, 120_000);

afterAll(async () => {
  await toxiproxy?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const rerun = 'npm run chaos -- --scenario http-500-after-commit --seed 5 --clients 1 --writes 10';

describe('a run in CI', () => {
  it('passes and writes the HTML report to reports/chaos-<seed>.html by default, saying where', () => {
    expect(result.code, result.output).toBe(0);
    expect(result.stderr).toContain('wrote reports/chaos-5.html');
    const html = readFileSync(join(dir, 'reports/chaos-5.html'), 'utf8');
    expect(html).toContain(`Rerun: <code>${rerun}</code>`);
    expect(html).toContain(
      'Arguments: <code>landed-chaos run --scenario http-500-after-commit --clients 1 --writes 10 --seed 5 --junit out/junit.xml --markdown out/summary.md</code>',
    );
  });

  it('writes JUnit: one case per client kind, none failed, the naive damage in its output', () => {
    const xml = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites name="landed-chaos" tests="2" failures="0" skipped="0"/);
    expect(xml).toMatch(
      /<testcase classname="landed-chaos.http-500-after-commit" name="landed" time="[\d.]+">/,
    );
    expect(xml).toMatch(/name="naive" time="[\d.]+"><system-out>10 writes, /);
    expect(xml).toContain(`<property name="rerun" value="${rerun}"/>`);
  });

  it('writes a Markdown summary whose first line is the verdict', () => {
    const md = readFileSync(join(dir, 'out/summary.md'), 'utf8');
    expect(md.split('\n')[0]).toBe(
      '### ✅ Landed chaos: 1 scenario(s), no write lost, none applied twice, none left unresolved',
    );
    expect(md).toMatch(/\| `http-500-after-commit` \| ✅ pass \|/);
  });

  it('shows progress inside the scenario: answers so far and the fault active', () => {
    expect(result.stderr).toContain('[1/1] http-500-after-commit …');
    expect(result.stderr).toMatch(
      / {2}http-500-after-commit: \d+\/20 answered · faults: 500-after-commit 40%/,
    );
  });

  it('writes no HTML with --html none', async () => {
    const other = mkdtempSync(join(tmpdir(), 'landed-ci-none-'));
    try {
      const none = await runCli(
        [...args, '--html', 'none', '--writes', '2'],
        { TOXIPROXY_URL: toxiproxy.url },
        other,
      );
      expect(none.code, none.output).toBe(0);
      expect(existsSync(join(other, 'reports'))).toBe(false);
      expect(none.stderr).not.toContain('.html');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 120_000);
});
