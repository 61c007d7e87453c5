/**
 * A server that knows nothing of idempotency keys, as many APIs are: every POST is applied as it
 * comes and answered 201 with a fresh receipt; `Idempotency-Key` is ignored, never echoed. It offers
 * the harness's ledger (`GET /_chaos/ledger`) so a run can count what it applied. The conformance
 * suite must fail it on every rule it breaks, and `run --target` must say it does not speak the protocol.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LedgerRow } from '../../src/checker/history.ts';

export interface NaiveServer {
  readonly url: string;
  readonly rows: readonly LedgerRow[];
  close(): Promise<void>;
}

export async function startNaiveServer(): Promise<NaiveServer> {
  const rows: LedgerRow[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/_chaos/ledger') return send(200, { rows });
      if (req.method !== 'POST') return send(404, { error: 'not found' });
      const text = Buffer.concat(chunks).toString('utf8');
      let body: { writeId?: unknown };
      try {
        body = JSON.parse(text) as { writeId?: unknown };
      } catch {
        return send(400, { error: 'body is not JSON' });
      }
      const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const row: LedgerRow = {
        id: rows.length + 1,
        writeId: typeof body.writeId === 'string' ? body.writeId : '',
        key: null,
        op: req.url ?? '/',
        payload: text,
        principal: auth?.[1] ?? 'anonymous',
        at: Date.now(),
      };
      rows.push(row);
      send(201, { receipt: row.id, writeId: row.writeId });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rows,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
