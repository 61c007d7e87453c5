/**
 * `landed-chaos conform` and the probes `run --target` makes first, as a person runs them: real
 * servers on loopback, the real CLI in a child process, and (for `run`) the real Toxiproxy.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformReport } from '../src/conform/conform.ts';
import { freePort } from '../src/toxiproxy/free-port.ts';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';
import { ROOT, runCli } from './support/cli.ts';
import { type NaiveServer, startNaiveServer } from './support/naive-server.ts';
import { type OrdersServer, startOrdersServer } from './support/orders-server.ts';

let naive: NaiveServer;
let orders: OrdersServer;
let dir: string;

beforeAll(async () => {
  naive = await startNaiveServer();
  orders = await startOrdersServer('express', 'sqlite');
  dir = mkdtempSync(join(tmpdir(), 'landed-conform-cli-'));
});

afterAll(async () => {
  await naive?.close();
  await orders?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('landed-chaos conform', () => {
  it('passes @landed/server behind Express, exit 0, and writes the checklist as JSON', async () => {
    const json = join(dir, 'conform.json');
    const { code, stdout } = await runCli(['conform', '--target', orders.url, '--json', json]);
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('8 checks: 8 pass, 0 fail, 0 not applicable.');
    const report = JSON.parse(readFileSync(json, 'utf8')) as ConformReport;
    expect(report.checks.map((c) => c.status)).toEqual(Array(8).fill('pass'));
    expect(report.checks[0]?.decidedBy[0]?.request.headers['idempotency-key']).toMatch(/^"[0-9a-f-]{36}"$/);
  });

  it('fails a server that ignores keys, exit 1, each failure with the exchange that decided it', async () => {
    const { code, stdout } = await runCli(['conform', '--target', naive.url]);
    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(/FAIL {2}replay {12}replays a repeat/);
    expect(stdout).toContain('The server applied the write 2 times (its ledger says so).');
    expect(stdout).toMatch(/< 201 {2}\{"receipt":2,/);
    expect(stdout).toContain('8 checks: 0 pass, 6 fail, 2 not applicable.');
  });

  it('says when nothing could be checked (the route refuses the body), exit 2', async () => {
    const { code, stdout } = await runCli(['conform', '--target', orders.url, '--path', '/nowhere']);
    expect(code, stdout).toBe(2);
    expect(stdout).toContain('Nothing could be checked: the first probe write was not accepted.');
    expect(stdout).toContain('< 404');
  });

  it('says in one line when nothing answers at the target, exit 2', async () => {
    // A port the OS just handed out and took back: nothing listens there.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await runCli(['conform', '--target', closed]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      `landed-chaos: TARGET_UNREACHABLE: Nothing answers HTTP at ${closed} (ECONNREFUSED): is your server running, on that host and port?`,
    ]);
  });
});

describe('run --target on a server that does not speak the protocol', () => {
  let toxiproxy: ToxiproxyServer;
  beforeAll(async () => {
    toxiproxy = await startToxiproxy({ root: ROOT });
  });
  afterAll(() => toxiproxy?.stop());

  it('says so in plain words above the verdict table, and what its counters then mean', async () => {
    const { code, stdout, output } = await runCli(
      [
        'run',
        '--target',
        naive.url,
        '--scenario',
        'latency',
        '--clients',
        '1',
        '--writes',
        '5',
        '--seed',
        '3',
      ],
      { TOXIPROXY_URL: toxiproxy.url },
    );
    expect(code, output).toBe(1);
    const notice = stdout.indexOf(
      `Your server at ${naive.url} does not speak the Landed idempotency protocol.`,
    );
    const table = stdout.indexOf('client writes');
    expect(notice).toBeGreaterThan(-1);
    expect(table).toBeGreaterThan(notice);
    const said = stdout.slice(notice, table);
    expect(said).toContain('✗ echoes the Idempotency-Key it processed (key-echoed)');
    expect(said).toContain('confirmed nothing: unres counts every write');
    expect(said).toContain(`landed-chaos conform --target ${naive.url} --path /tickets`);
  }, 120_000);
});
