/**
 * The reporting unit with a real Sentry client (@sentry/core's server runtime client and its fetch
 * transport) and a real Landed client, delivering envelopes to a Sentry ingestion endpoint on loopback.
 */
import { createServer, type Server } from 'node:http';
import { createClient, memoryStore } from '@landed/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_KEY, type SentryIngest, startSentryIngest } from '../../test/support/sentry-ingest.ts';
import { describeDsn, openChaosSentry } from './sentry.ts';

const SECRETS = ['AUTH-SECRET', 'COOKIE-SECRET', 'QUERY-SECRET', 'CARD-SECRET', 'Bearer', 'sid='];

let ingest: SentryIngest;
let app: Server;
let appUrl: string;

beforeAll(async () => {
  ingest = await startSentryIngest();
  // Refuses /refuse (403) and never gives a clear answer on /flaky (503).
  app = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const refused = req.url?.startsWith('/refuse');
      res.writeHead(refused ? 403 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(refused ? { code: 'forbidden', card: 'CARD-SECRET' } : { code: 'down' }));
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const address = app.address();
  appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await ingest?.close();
  app?.closeAllConnections();
  await new Promise((resolve) => app?.close(resolve));
});

/** Polls a real condition; the bound only ends a wait that would never be over. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 45_000; !condition() && Date.now() < deadline; )
    await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('reporting a chaos run to Sentry', () => {
  it('refuses a SENTRY_DSN that is not a DSN, and describes one without its key', async () => {
    await expect(openChaosSentry({ dsn: 'not a dsn' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    expect(describeDsn(`https://${PUBLIC_KEY}@o1.ingest.sentry.io/42`)).toBe(
      'o1.ingest.sentry.io, project 42',
    );
  });

  it('never throws when Sentry does not answer', async () => {
    const sentry = await openChaosSentry({ dsn: `http://${PUBLIC_KEY}@127.0.0.1:9/1` });
    sentry.violation({ scenario: 'unit', client: 'landed', kind: 'lost', writeId: 'w', rows: 0, faults: [] });
    await expect(sentry.close(2_000)).resolves.toBeTypeOf('boolean');
    expect(sentry.violations).toBe(1);
  });

  it('sends one event per Landed write that needs a person and per violation, tagged, without bodies or secrets', async () => {
    const sentry = await openChaosSentry({
      dsn: ingest.dsn,
      tags: { 'chaos.run': 'r1', 'chaos.seed': '7' },
    });
    const client = createClient({
      store: memoryStore(),
      baseUrl: appUrl,
      principal: 'landed:0',
      headers: () => ({ authorization: 'Bearer AUTH-SECRET', cookie: 'sid=COOKIE-SECRET' }),
      reporter: sentry.reporter({ 'chaos.scenario': 'unit', 'chaos.client': 'landed' }),
      // Long: an attempt at /refuse that timed out on a loaded machine would stay uncertain past
      // uncertainReportAfterMs and add a fourth event. The server answers at once.
      timeoutMs: 30_000,
      backoffBaseMs: 20,
      backoffCapMs: 50,
      uncertainReportAfterMs: 150,
    });
    const refused = await client.post(
      '/refuse?token=QUERY-SECRET',
      { card: 'CARD-SECRET' },
      { label: 'landed:0:1', lane: 'v0' },
    );
    await client.post('/flaky', { card: 'CARD-SECRET' }, { label: 'landed:0:2', lane: 'v1' });
    expect((await refused.outcome).state).toBe('rejected');
    sentry.violation({
      scenario: 'unit',
      client: 'landed',
      kind: 'duplicated',
      writeId: 'landed:0:3',
      verdict: 'confirmed',
      rows: 2,
      faults: ['15%–40% timeout downstream timeout=400'],
    });
    await until(() => ingest.events().length >= 3, 'three events');
    await client.close();
    await sentry.close();

    const events = ingest.events();
    expect(events).toHaveLength(3);
    const rejected = events.find((e) => e.tags?.['landed.kind'] === 'rejected');
    expect(rejected?.level).toBe('error');
    expect(rejected?.message).toContain('landed:0:1');
    expect(rejected?.tags).toMatchObject({
      'landed.state': 'rejected',
      'landed.status': '403',
      'chaos.scenario': 'unit',
      'chaos.client': 'landed',
      'chaos.run': 'r1',
      'chaos.seed': '7',
    });
    expect(rejected?.contexts?.landed?.url).toBe(`${appUrl}/refuse`);
    expect(rejected?.breadcrumbs?.some((b) => b.category === 'landed.attempt')).toBe(true);

    const uncertain = events.find((e) => e.tags?.['landed.kind'] === 'uncertain-too-long');
    expect(uncertain?.message).toContain('landed:0:2');
    expect(uncertain?.tags).toMatchObject({ 'landed.state': 'uncertain', 'chaos.scenario': 'unit' });

    const violation = events.find((e) => e.tags?.['chaos.violation']);
    expect(violation).toMatchObject({
      level: 'error',
      environment: 'chaos',
      fingerprint: ['landed-chaos', 'unit', 'duplicated'],
      tags: {
        'chaos.violation': 'duplicated',
        'chaos.scenario': 'unit',
        'chaos.client': 'landed',
        'chaos.verdict': 'confirmed',
        'chaos.run': 'r1',
      },
      contexts: { chaos: { writeId: 'landed:0:3', ledgerRows: 2 } },
    });
    expect(violation?.message).toBe('Landed chaos: a write was applied more than once: landed:0:3 (unit)');

    // Delivered to the project's envelope endpoint with the DSN's public key, and nothing private in it.
    expect(ingest.strays).toEqual([]);
    for (const envelope of ingest.envelopes) {
      const auth = `${envelope.url} ${envelope.headers['x-sentry-auth'] ?? ''}`;
      expect(auth).toContain(`sentry_key=${PUBLIC_KEY}`);
      for (const secret of SECRETS) expect(envelope.text).not.toContain(secret);
      expect(envelope.text).not.toMatch(/authorization|cookie/i);
    }
  });
});
