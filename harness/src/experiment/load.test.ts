import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHarnessError } from '../toxiproxy/errors.ts';
import { loadExperiment, parseExperiment } from './load.ts';
import { render, renderBody } from './template.ts';

const ORDERS = `name: orders
target: http://127.0.0.1:3000
writes:
  count: 20
  path: /orders
  body: { id: "{{writeId}}", sku: pen, qty: "{{n}}" }
verify:
  get: /orders/{{writeId}}
faults:
  - toxic: timeout
    stream: downstream
    attributes: { timeout: 400 }
    toxicity: 0.5
    start: 0
    duration: 1000
  - down: true
    start: 1500
    duration: 500
thresholds:
  p99Ms: 10000
  maxAttemptsPerWrite: 4
`;

function errorOf(text: string, file = 'exp.yaml'): string {
  try {
    parseExperiment(text, file);
  } catch (error) {
    if (isHarnessError(error) && error.code === 'BAD_EXPERIMENT') return error.message;
    throw error;
  }
  throw new Error('expected the experiment to be refused');
}

describe('experiment files', () => {
  it('reads a YAML experiment and fills in the defaults', () => {
    const e = parseExperiment(ORDERS, 'orders.yaml');
    expect(e).toMatchObject({
      name: 'orders',
      target: 'http://127.0.0.1:3000',
      clients: 1,
      writes: { count: 20, method: 'POST', path: '/orders', lane: '{{writeId}}', spreadMs: 3000 },
      verify: { kind: 'get', path: '/orders/{{writeId}}' },
      thresholds: { maxLost: 0, maxDuplicated: 0, maxUnresolved: 0, p99Ms: 10000, maxAttemptsPerWrite: 4 },
      drainMs: 30000,
    });
    expect(e.faults).toEqual([
      {
        start: 0,
        duration: 1000,
        overlap: false,
        fault: {
          kind: 'toxic',
          target: 'app',
          toxic: { kind: 'timeout', stream: 'downstream', attributes: { timeout: 400 }, toxicity: 0.5 },
        },
      },
      { start: 1500, duration: 500, overlap: false, fault: { kind: 'down', target: 'app' } },
    ]);
  });

  it('reads the same experiment written as JSON, and an http500 fault', () => {
    const json = JSON.stringify(
      {
        target: 'http://127.0.0.1:3000/api/',
        clients: 2,
        writes: { count: 5, method: 'put', path: '/orders/{{writeId}}', lane: 'client-{{client}}' },
        verify: { ledger: true },
        faults: [{ http500: 'after-commit', rate: 0.3, start: 100, duration: 400 }],
      },
      null,
      2,
    );
    const e = parseExperiment(json, 'dir/put-orders.json');
    expect(e.name).toBe('put-orders');
    expect(e.target).toBe('http://127.0.0.1:3000/api');
    expect(e.writes.method).toBe('PUT');
    expect(e.verify).toEqual({ kind: 'ledger' });
    expect(e.faults[0]?.fault).toEqual({ kind: 'server', setting: { kind: '500-after-commit', rate: 0.3 } });
  });

  it('names the file and line of a field that is wrong, and says what is allowed', () => {
    expect(errorOf(ORDERS.replace('stream: downstream', 'stream: sideways'))).toBe(
      'exp.yaml:11: faults[0].stream: must be upstream (requests) or downstream (responses), got "sideways"',
    );
    expect(errorOf(ORDERS.replace('toxic: timeout', 'toxic: jitter'))).toMatch(
      /^exp\.yaml:10: faults\[0\]\.toxic: must be a Toxiproxy toxic \(latency, bandwidth, slow_close/,
    );
    expect(errorOf(ORDERS.replace('  count: 20', '  count: -3'))).toBe(
      'exp.yaml:4: writes.count: must be an integer of at least 1, got -3',
    );
    expect(errorOf(ORDERS.replace('  p99Ms: 10000', '  p99: 10000'))).toMatch(
      /^exp\.yaml:20: thresholds\.p99: unknown field; allowed here: maxLost, maxDuplicated/,
    );
  });

  it('reads a fleet of reference apps, and refuses one of fewer than two or against another target', () => {
    const museum = readFileSync(resolve(import.meta.dirname, '../../experiments/museum.yaml'), 'utf8');
    const fleet = museum.replace('unsupported: skip', 'unsupported: skip\nfleet: 3');
    expect(parseExperiment(fleet, 'fleet.yaml').fleet).toBe(3);
    expect(parseExperiment(museum, 'museum.yaml').fleet).toBeUndefined();
    expect(errorOf(museum.replace('unsupported: skip', 'unsupported: skip\nfleet: 1'))).toBe(
      'exp.yaml:7: fleet: must be an integer of at least 2, got 1',
    );
    expect(errorOf(`${ORDERS}fleet: 2\n`)).toMatch(
      /^exp\.yaml:\d+: fleet: a fleet runs reference apps: it needs "target: reference"$/,
    );
  });

  it('reports a missing section at its parent, and a YAML syntax error at its line', () => {
    expect(errorOf(ORDERS.replace('verify:\n  get: /orders/{{writeId}}\n', ''))).toMatch(
      /^exp\.yaml:1: verify: needs one of "get: \/orders\/\{\{writeId\}\}"/,
    );
    expect(errorOf('target: http://x\nwrites:\n  count: [1,\n')).toMatch(/^exp\.yaml:[34]: /);
    expect(errorOf('{"target": "https://shop.example"}', 'e.json')).toBe(
      'e.json:1: target: must be an http:// URL (Toxiproxy forwards TCP, so no TLS), got "https://shop.example"',
    );
  });

  it('reads SQL verification, resolving a relative SQLite file against the experiment file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'landed-load-'));
    try {
      const file = join(dir, 'sql.yaml');
      writeFileSync(
        file,
        ORDERS.replace(
          '  get: /orders/{{writeId}}',
          '  sql: { sqlite: data/app.db, query: SELECT id AS writeId FROM orders }',
        ),
      );
      expect(loadExperiment(file).verify).toEqual({
        kind: 'sql',
        database: { sqlite: join(dir, 'data/app.db') },
        query: 'SELECT id AS writeId FROM orders',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(errorOf(ORDERS.replace('  get: /orders/{{writeId}}', '  sql: { query: SELECT 1 }'))).toBe(
      'exp.yaml:8: verify.sql: needs one of "sqlite: FILE" and "postgres: URL" (the database the target writes to)',
    );
  });

  it('refuses faults whose windows overlap unless one says overlap: true', () => {
    const overlapping = ORDERS.replace('start: 1500', 'start: 900');
    expect(errorOf(overlapping)).toBe(
      'exp.yaml:17: faults[1].start: overlaps faults[0]; move it, or set "overlap: true" on either if both are meant to act at once',
    );
    const allowed = overlapping.replace('    duration: 500', '    duration: 500\n    overlap: true');
    expect(parseExperiment(allowed, 'exp.yaml').faults[1]?.overlap).toBe(true);
  });

  it('renders per-write fields in paths, lanes and bodies', () => {
    const fields = { writeId: 'r1-2-7', n: 7, client: 2, run: 'r1' };
    expect(render('/orders/{{writeId}}?c={{ client }}&x={{nope}}', fields)).toBe(
      '/orders/r1-2-7?c=2&x={{nope}}',
    );
    expect(renderBody({ id: '{{writeId}}', qty: '{{n}}', tags: ['n{{n}}'], ok: true }, fields)).toEqual({
      id: 'r1-2-7',
      qty: 7,
      tags: ['n7'],
      ok: true,
    });
  });
});

describe('the experiment in docs/harness.md', () => {
  it('is valid and under 30 lines', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/harness.md'), 'utf8');
    const yaml = /## Your own API: experiment files[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(yaml).toBeDefined();
    expect(yaml?.trimEnd().split('\n').length).toBeLessThan(30);
    const e = parseExperiment(yaml ?? '', 'orders.yaml');
    expect(e.faults.map((f) => f.fault.kind)).toEqual(['toxic', 'down']);
    expect(e.thresholds.p99Ms).toBe(15000);
    // The error the docs quote is the one a person gets.
    expect(errorOf((yaml ?? '').replace('stream: downstream ', 'stream: sideways'), 'orders.yaml')).toMatch(
      /^orders\.yaml:15: faults\[0\]\.stream: must be upstream \(requests\) or downstream \(responses\)/,
    );
    expect(doc).toContain(
      '(`orders.yaml:15: faults[0].stream: must be upstream (requests) or downstream (responses)`)',
    );
  });
});
