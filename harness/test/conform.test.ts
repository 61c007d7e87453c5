/**
 * The conformance suite against real servers on loopback: @landed/server on every adapter and both
 * real stores must pass every check, and a server that ignores keys must fail each rule it breaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS, type CheckId } from '../src/conform/checks.ts';
import { type ConformReport, conform, speaksProtocol } from '../src/conform/conform.ts';
import { checklist } from '../src/report/checklist.ts';
import { type NaiveServer, startNaiveServer } from './support/naive-server.ts';
import { type Adapter, type StoreKind, startOrdersServer } from './support/orders-server.ts';

const statuses = (report: ConformReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
const everyCheck = (status: string) => Object.fromEntries(Object.keys(CHECKS).map((id) => [id, status]));

const ADAPTERS: Adapter[] = ['node-http', 'express', 'fastify', 'hono'];
const STORES: StoreKind[] = ['sqlite', 'postgres'];

describe('@landed/server passes every check', () => {
  it.each(STORES.flatMap((store) => ADAPTERS.map((adapter) => [adapter, store] as const)))(
    '%s on %s',
    async (adapter, store) => {
      const server = await startOrdersServer(adapter, store);
      try {
        const report = await conform({
          target: server.url,
          path: '/orders',
          body: '{"item":"pen","writeId":"{{writeId}}"}',
        });
        expect(statuses(report), checklist(report)).toEqual(everyCheck('pass'));
        expect(speaksProtocol(report)).toBe(true);
        // The first write, one effect for principal B, and the concurrent one: three orders, no more.
        expect(await server.orders()).toBe(3);
      } finally {
        await server.close();
      }
    },
  );
});

describe('a server that ignores Idempotency-Key', () => {
  let naive: NaiveServer;
  let report: ConformReport;
  beforeAll(async () => {
    naive = await startNaiveServer();
    report = await conform({ target: naive.url });
  });
  afterAll(() => naive?.close());

  it('fails every rule it breaks, and is not applicable where it cannot tell', () => {
    const expected: Record<CheckId, string> = {
      'key-echoed': 'fail',
      replay: 'fail',
      concurrent: 'fail',
      'payload-mismatch': 'fail',
      'missing-key': 'n/a',
      retention: 'fail',
      lookup: 'n/a',
      'principal-scope': 'fail',
    };
    expect(statuses(report), checklist(report)).toEqual(expected);
    expect(speaksProtocol(report)).toBe(false);
  });

  it('says why, with the request and answer that decided it', () => {
    const replay = report.checks.find((c) => c.id === 'replay');
    // Its ledger shows the second effect.
    expect(replay?.why).toBe('The server applied the write 2 times (its ledger says so).');
    const text = checklist(report);
    expect(text).toContain('FAIL  key-echoed');
    expect(text).toMatch(
      /> POST \/orders {2}idempotency-key: "[0-9a-f-]{36}"\n {12}authorization: Bearer landed-conform-a-/,
    );
    expect(text).toMatch(/< 201 {2}\{"receipt":\d+,"writeId":"conform-/);
    expect(text).toContain('8 checks: 0 pass, 6 fail, 2 not applicable.');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});

describe('@landed/server with one scope for every principal', () => {
  it("fails principal-scope: principal B gets principal A's stored answer", async () => {
    const server = await startOrdersServer('node-http', 'sqlite', 'shared');
    try {
      const report = await conform({ target: server.url });
      expect(statuses(report), checklist(report)).toEqual({
        ...everyCheck('pass'),
        'principal-scope': 'fail',
      });
      expect(report.checks.find((c) => c.id === 'principal-scope')?.why).toMatch(
        /^Principal B was answered with principal A's stored response/,
      );
      // Still the protocol: a single-tenant server is wrong for many users, not for one.
      expect(speaksProtocol(report)).toBe(true);
    } finally {
      await server.close();
    }
  });
});
