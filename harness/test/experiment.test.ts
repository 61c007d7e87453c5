/**
 * `landed-chaos run --experiment FILE` end to end, as a QA engineer runs it against their own API: a
 * plain Express `POST /orders` app, real Toxiproxy faults, effects verified by a GET route or the
 * ledger contract, thresholds deciding the exit code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess } from '../src/app/AppProcess.ts';
import { startToxiproxy, type ToxiproxyServer } from '../src/toxiproxy/ToxiproxyServer.ts';
import { ROOT, runCli } from './support/cli.ts';
import { startExpressOrders } from './support/express-orders.ts';

let toxiproxy: ToxiproxyServer;
let dir: string;

beforeAll(async () => {
  toxiproxy = await startToxiproxy({ root: ROOT });
  dir = mkdtempSync(join(tmpdir(), 'landed-experiment-'));
});

afterAll(async () => {
  await toxiproxy?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function experimentFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const run = (file: string) => runCli(['run', '--experiment', file], { TOXIPROXY_URL: toxiproxy.url });

describe('landed-chaos run --experiment', () => {
  it('lands every order exactly once through lost responses and an outage, verified by GET /orders/:id', async () => {
    await using app = await startExpressOrders();
    const file = experimentFile(
      'orders.yaml',
      `target: ${app.url}
writes:
  count: 12
  path: /orders
  body: { id: "{{writeId}}", sku: pen, qty: "{{n}}" }
  spreadMs: 600
verify:
  get: /orders/{{writeId}}
faults:
  - toxic: timeout          # the order is applied, its answer never comes back
    stream: downstream
    attributes: { timeout: 300 }
    start: 0
    duration: 500
  - down: true
    start: 500
    duration: 300
thresholds:
  maxAttemptsPerWrite: 20
`,
    );
    const result = await run(file);
    expect(result.output).toContain('Experiment orders: 1 Landed client(s) × 12 POST /orders');
    expect(result.output).toMatch(/start timeout downstream timeout=300/);
    expect(result.output).toContain('12 writes: 12 confirmed, 0 rejected, 0 expired');
    expect(result.output).toMatch(/ok {3}lost +0 {2}\(at most 0\)/);
    // A GET route cannot show a write applied twice, and the output says so.
    expect(result.output).toContain('verify with "sql" or "ledger" to see duplicates');
    expect(result.output).toContain('PASS: every threshold held.');
    expect(result.code).toBe(0);
  });

  it('reads a JSON experiment verified through /_chaos/ledger, with two clients in lanes', async () => {
    await using app = await startExpressOrders({ ledger: true });
    const file = experimentFile(
      'ledger.json',
      JSON.stringify({
        target: app.url,
        clients: 2,
        writes: {
          count: 6,
          path: '/orders',
          body: { id: '{{writeId}}' },
          lane: 'c{{client}}',
          spreadMs: 300,
        },
        verify: { ledger: true },
        faults: [
          {
            toxic: 'reset_peer',
            stream: 'downstream',
            attributes: { timeout: 10 },
            toxicity: 0.5,
            start: 0,
            duration: 400,
          },
        ],
      }),
    );
    const result = await run(file);
    expect(result.output).toContain('12 writes: 12 confirmed');
    expect(result.output).toMatch(/ok {3}duplicated +0 {2}\(at most 0\)/);
    expect(result.output).not.toContain('to see duplicates');
    expect(result.code).toBe(0);
  });

  it('verifies by a SQL query against the SQLite file the app writes to, read directly', async () => {
    await using app = await startExpressOrders();
    const file = experimentFile(
      'sql.yaml',
      `target: ${app.url}
writes: { count: 8, path: /orders, body: { id: "{{writeId}}", sku: ink }, spreadMs: 400 }
verify:
  sql:
    sqlite: ${app.databasePath}
    query: SELECT id AS writeId, body AS payload FROM orders
faults:
  - { toxic: latency, stream: upstream, attributes: { latency: 100, jitter: 50 }, start: 0, duration: 600 }
`,
    );
    const result = await run(file);
    expect(result.output).toContain('8 writes: 8 confirmed');
    expect(result.output).toMatch(/ok {3}duplicated +0/);
    expect(result.output).toMatch(/ok {3}wrong payload +0/);
    expect(result.output).not.toContain('to see duplicates');
    expect(result.code).toBe(0);
  });

  it('fails (exit 1) when a threshold does not hold, naming it', async () => {
    await using app = await startExpressOrders();
    // Every write takes at least one attempt, so this threshold fails however fast the machine is.
    const file = experimentFile(
      'strict.yaml',
      `target: ${app.url}
writes: { count: 3, path: /orders, body: { id: "{{writeId}}" }, spreadMs: 0 }
verify: { get: "/orders/{{writeId}}" }
thresholds: { maxAttemptsPerWrite: 0.5 }
`,
    );
    const result = await run(file);
    expect(result.output).toContain('3 writes: 3 confirmed');
    expect(result.output).toMatch(/FAIL attempts per write +1 {2}\(at most 0\.5\)/);
    expect(result.output).toContain('FAIL: a threshold did not hold.');
    expect(result.code).toBe(1);
  });

  it('plays the HTTP-500 hook of a target that offers one (the reference app), verified by its ledger', async () => {
    const app = await AppProcess.start({ sqlitePath: join(dir, 'museum.sqlite') });
    try {
      const file = experimentFile(
        'museum.yaml',
        `target: ${app.directUrl}
writes:
  count: 10
  path: /tickets
  body: { writeId: "{{writeId}}", visitor: "v{{client}}", ticket: "T-{{writeId}}", price: 25 }
  spreadMs: 500
verify: { ledger: true }
faults:
  - { http500: after-commit, rate: 0.5, start: 0, duration: 1000 }
`,
      );
      const result = await run(file);
      expect(result.output).toMatch(/start 500-after-commit 50%/);
      expect(result.output).toContain('10 writes: 10 confirmed');
      expect(result.output).toMatch(/ok {3}duplicated +0/);
      expect(result.code).toBe(0);
    } finally {
      await app.stop();
    }
  });

  it('refuses an http500 fault when the target offers no fault hook (exit 2)', async () => {
    await using app = await startExpressOrders();
    const file = experimentFile(
      'no-hook.yaml',
      `target: ${app.url}
writes: { count: 1, path: /orders, body: { id: "{{writeId}}" } }
verify: { get: "/orders/{{writeId}}" }
faults: [{ http500: before-commit, start: 0, duration: 100 }]
`,
    );
    const result = await run(file);
    expect(result.stderr).toContain('landed-chaos: BAD_EXPERIMENT: The experiment has an http500 fault, but');
    expect(result.stderr).toContain('offers no fault hook');
    expect(result.code).toBe(2);
  });

  it('stops before any fault on a wrong field, naming the file and line (exit 2)', async () => {
    const file = experimentFile(
      'wrong.yaml',
      'target: http://127.0.0.1:9\nwrites:\n  count: 2\n  path: orders\nverify: { ledger: true }\n',
    );
    const result = await run(file);
    expect(result.stderr).toBe(
      `landed-chaos: BAD_EXPERIMENT: ${file}:4: writes.path: must be a path starting with "/", got "orders"\n`,
    );
    expect(result.code).toBe(2);
  });
});
