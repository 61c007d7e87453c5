/**
 * The rough edges a new user meets first (issue 12): help, bad arguments, the bin on an older Node,
 * and a target that is down — each answered in plain words with the documented exit code.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/toxiproxy/free-port.ts';
import { ROOT, runCli } from './support/cli.ts';

const BIN = join(ROOT, 'harness/bin/landed-chaos.js');

describe('--help', () => {
  it.each([[['--help']], [['run', '--help']], [['conform', '--help']], [[]]])(
    'landed-chaos %j prints the full synopsis within 100 columns and exits 0',
    async (args) => {
      const { code, stdout, stderr } = await runCli(args);
      expect(code, stderr).toBe(0);
      if (args[0] !== 'conform')
        for (const flag of ['--runs N', '--path P', '--target URL', '--full']) expect(stdout).toContain(flag);
      if (args[0] !== 'run') expect(stdout).toContain('landed-chaos conform --target URL');
      for (const line of stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    },
  );
});

describe('a bad argument', () => {
  it.each([
    [['run', '--writes', '-3'], '--writes must be at least 1, got -3.'],
    [['run', '--writes=0'], '--writes must be at least 1, got 0.'],
    [['run', '--clients', 'two'], '--clients must be an integer, got "two".'],
    [['run', '--writes'], '--writes needs a value (see landed-chaos run --help)'],
    [['run', '--bogus'], 'unknown option --bogus (see landed-chaos run --help)'],
    [['run', '--full=yes'], '--full takes no value (see landed-chaos run --help)'],
    [['run', 'latency'], 'unexpected argument "latency" (see landed-chaos run --help)'],
    [['run', '--target', 'ftp://x'], '--target must be an http:// URL'],
    [['conform'], 'conform needs --target URL: the server to probe.'],
    [
      ['conform', '--target', 'http://127.0.0.1:1', '--auth', 'Bearer a'],
      '--auth takes two different principals',
    ],
    [['frob'], 'unknown command "frob": use run or conform (see landed-chaos --help)'],
  ])('landed-chaos %j: one line, BAD_ARGUMENT, exit 2', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^landed-chaos: BAD_ARGUMENT: /);
    expect(lines[0]).toContain(message);
    expect(stderr).not.toContain('ERR_PARSE_ARGS');
  });

  it('an unknown scenario names the ones there are, on one line', async () => {
    const { code, stderr } = await runCli(['run', '--scenario', 'latncy']);
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^landed-chaos: UNKNOWN_SCENARIO: Unknown scenario "latncy". Choose one of: latency, /,
    );
  });
});

describe('a --target that does not answer', () => {
  it('stops with TARGET_UNREACHABLE before Toxiproxy is started or reached', async () => {
    const closed = await freePort();
    // A Toxiproxy that cannot be reached either: had the harness gone to it first, it would say so.
    const { code, stderr } = await runCli(
      ['run', '--target', `http://127.0.0.1:${closed}`, '--writes', '2'],
      {
        TOXIPROXY_URL: `http://127.0.0.1:${await freePort()}`,
      },
    );
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual([
      `landed-chaos: TARGET_UNREACHABLE: Nothing answers HTTP at http://127.0.0.1:${closed} (ECONNREFUSED): is your server running, on that host and port?`,
    ]);
  });
});

/** A Node on PATH too old to strip types (the machine's own, e.g. Debian's Node 20), if there is one. */
function olderNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
      const [major = 0, minor = 0] = version.slice(1).split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 18)) return candidate;
    } catch {}
  }
  return undefined;
}
const old = olderNode();

describe.skipIf(!old)('the bin on an older Node', () => {
  it('re-runs itself on the project’s Node 24', () => {
    const run = spawnSync(old as string, [BIN, 'run', '--help'], { cwd: tmpdir(), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('landed-chaos run [--scenario NAME|all]');
  });

  it('says exactly what to run when there is no Node 24 beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'landed-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(BIN, join(dir, 'bin', 'landed-chaos.js'));
      const run = spawnSync(old as string, [join(dir, 'bin', 'landed-chaos.js'), '--help'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^landed-chaos: NODE_TOO_OLD: .* needs Node >= 22\.18; this is Node v\d+/);
      expect(run.stderr).toContain('npm run chaos -- <options>');
      expect(run.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an experiment file that runs a fleet ("fleet: 2")', () => {
  it('is run as --fleet 2: it needs PostgreSQL, and cannot go with --target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'landed-fleet-experiment-'));
    try {
      const file = join(dir, 'fleet.yaml');
      const museum = readFileSync(join(ROOT, 'harness/experiments/museum.yaml'), 'utf8');
      writeFileSync(file, museum.replace('unsupported: skip', 'unsupported: skip\nfleet: 2'));
      const noDatabase = await runCli(['run', '--experiment', file, '--html', 'none'], {
        LANDED_TEST_PG_URL: '',
      });
      expect(noDatabase.code).toBe(2);
      expect(noDatabase.stderr).toContain(
        'BAD_ARGUMENT: a fleet (--fleet, or "fleet:" in the experiment) needs PostgreSQL',
      );
      const withTarget = await runCli(['run', '--experiment', file, '--target', 'http://127.0.0.1:1']);
      expect(withTarget.code).toBe(2);
      expect(withTarget.stderr).toContain('("fleet: 2"): it cannot go with --target');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
