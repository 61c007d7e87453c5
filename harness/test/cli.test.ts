/**
 * `landed-chaos run` end to end, as a person runs it: against a server started on its own
 * (`--target`), and reporting to a Sentry ingestion endpoint on loopback (`SENTRY_DSN`). Both through
 * the real Toxiproxy.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess } from '../src/app/AppProcess.ts';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';
import { DOUBLED, GHOST, startFlawedTarget } from './support/flawed-target.ts';
import { PUBLIC_KEY, type SentryEvent, startSentryIngest } from './support/sentry-ingest.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'harness/src/cli/main.ts');

let toxiproxy: ToxiproxyServer;
let dir: string;

beforeAll(async () => {
  toxiproxy = await startToxiproxy({ root: ROOT });
  dir = mkdtempSync(join(tmpdir(), 'landed-chaos-cli-'));
});

afterAll(async () => {
  await toxiproxy?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface CliResult {
  code: number | null;
  output: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const { SENTRY_DSN: _dsn, DATABASE_URL: _db, ...inherited } = process.env;
  const child = spawn(
    process.execPath,
    ['--conditions=landed-source', '--no-warnings', CLI, 'run', ...args],
    {
      cwd: ROOT,
      env: { ...inherited, TOXIPROXY_URL: toxiproxy.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  return new Promise((done) => child.once('close', (code) => done({ code, output })));
}

type Row = Record<string, unknown> & { name: string; client: string };
const rowOf = (report: { scenarios: Row[] }, name: string, client: string) =>
  report.scenarios.find((s) => s.name === name && s.client === client);

describe('--target URL', () => {
  it('runs scenarios through Toxiproxy against a reference app started on its own, one after another on its database', async () => {
    const app = await AppProcess.start({ sqlitePath: join(dir, 'target.sqlite') });
    try {
      const json = join(dir, 'target.json');
      const { code, output } = await runCli(
        [
          '--target',
          app.directUrl,
          '--scenario',
          'http-500-after-commit,timeout-downstream',
          '--clients',
          '1',
          '--writes',
          '20',
          '--seed',
          '11',
          '--json',
          json,
        ],
        {},
      );
      expect(code, output).toBe(0);
      expect(output).toContain('· target ·');
      const report = JSON.parse(readFileSync(json, 'utf8')) as { database: string; scenarios: Row[] };
      expect(report.database).toBe('target');
      for (const name of ['http-500-after-commit', 'timeout-downstream']) {
        // The second scenario meets the first one's rows in the target's ledger and leaves them out.
        expect(rowOf(report, name, 'landed')).toMatchObject({
          writes: 20,
          confirmed: 20,
          lost: 0,
          duplicated: 0,
          unexpected: 0,
          phantom: 0,
          unresolved: 0,
          passed: true,
        });
      }
      // The faults reached the target: its own hooks answered 500 after committing.
      expect(rowOf(report, 'http-500-after-commit', 'landed')?.recovered).toBeGreaterThan(0);
      expect(rowOf(report, 'http-500-after-commit', 'naive')?.duplicated).toBeGreaterThan(0);
    } finally {
      await app.stop();
    }
  });

  it('says what is wrong when nothing answers at the target', async () => {
    const { code, output } = await runCli(
      ['--target', 'http://127.0.0.1:9', '--scenario', 'latency', '--writes', '2'],
      {},
    );
    expect(code).toBe(2);
    expect(output).toContain('TARGET_UNREACHABLE');
  });
});

describe('SENTRY_DSN', () => {
  it('reports each violation and each Landed write that needed a person as one Sentry event, without bodies or secrets', async () => {
    const ingest = await startSentryIngest();
    const target = await startFlawedTarget(dir);
    try {
      const json = join(dir, 'sentry.json');
      const { code, output } = await runCli(
        [
          '--target',
          target.url,
          '--scenario',
          'latency',
          '--clients',
          '1',
          '--writes',
          '10',
          '--seed',
          '7',
          '--json',
          json,
        ],
        { SENTRY_DSN: ingest.dsn },
      );
      // The flawed target makes Landed "fail": exit 1, and the report says why.
      expect(code, output).toBe(1);
      expect(output).toContain('project 4242');
      expect(output).not.toContain(PUBLIC_KEY);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { scenarios: Row[] };
      expect(rowOf(report, 'latency', 'landed')).toMatchObject({
        writes: 10,
        rejected: 2,
        duplicated: 1,
        unexpected: 1,
        passed: false,
      });

      const events = ingest.events();
      const byTag = (tag: string) => events.filter((e) => e.tags?.[tag] !== undefined);
      const common = (e: SentryEvent) => ({
        scenario: e.tags?.['chaos.scenario'],
        client: e.tags?.['chaos.client'],
        seed: e.tags?.['chaos.seed'],
        database: e.tags?.['chaos.database'],
        toxiproxy: e.tags?.['chaos.toxiproxy'],
      });
      const expected = {
        scenario: 'latency',
        client: 'landed',
        seed: '7',
        database: 'target',
        toxiproxy: toxiproxy.version,
      };

      // Each pen pairing the target refused: one event through @landed/sentry (landed:0:1, landed:0:6).
      const refused = byTag('landed.kind');
      expect(refused.map((e) => e.contexts?.landed?.label).sort()).toEqual(['landed:0:1', 'landed:0:6']);
      for (const e of refused) {
        expect(e.tags).toMatchObject({ 'landed.kind': 'rejected', 'landed.status': '403' });
        expect(common(e)).toEqual(expected);
      }

      // Each violation: one event, grouped by scenario and kind.
      const violations = byTag('chaos.violation');
      expect(violations.map((e) => [e.tags?.['chaos.violation'], e.contexts?.chaos?.writeId]).sort()).toEqual(
        [
          ['duplicated', DOUBLED],
          ['unexpected', GHOST],
        ],
      );
      for (const e of violations) {
        expect(e.level).toBe('error');
        expect(e.fingerprint).toEqual(['landed-chaos', 'latency', e.tags?.['chaos.violation']]);
        expect(common(e)).toEqual(expected);
      }
      expect(
        violations.find((e) => e.tags?.['chaos.violation'] === 'duplicated')?.contexts?.chaos,
      ).toMatchObject({ verdict: 'confirmed', ledgerRows: 2 });
      // One run id on every event; the naive client's failures are the contrast, never reported.
      expect(new Set(events.map((e) => e.tags?.['chaos.run'])).size).toBe(1);
      expect(events).toHaveLength(4);

      expect(ingest.strays).toEqual([]);
      for (const envelope of ingest.envelopes) {
        expect(`${envelope.url} ${envelope.headers['x-sentry-auth'] ?? ''}`).toContain(
          `sentry_key=${PUBLIC_KEY}`,
        );
        // No request body (ticket, pen, price, object), no bearer token, no cookie.
        for (const secret of ['T-landed-0', 'P-0-1', '"price"', '18383771', 'Bearer', 'naive:'])
          expect(envelope.text).not.toContain(secret);
        expect(envelope.text).not.toMatch(/authorization|cookie/i);
      }
    } finally {
      await target.close();
      await ingest.close();
    }
  });
});
