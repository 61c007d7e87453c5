// The museum desk example: `node --conditions=landed-source docs/examples/museum/server.ts` from the
// repository root, then open the printed URL (add `?dsn=…` to report to Sentry). The pairing service
// is @landed/server on node:http with its SQLite store; `/demo` queues the server's test-only faults.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdempotency, type FaultKind } from '@landed/server';
import { withIdempotency } from '@landed/server/node-http';
import { sqliteStore } from '@landed/server/sqlite';
import { build } from 'esbuild';

export interface Museum {
  url: string;
  /** Every pairing the service applied, in order (a ticket twice here would be a double pairing). */
  pairings: Array<{ ticket: string; pen: string; key: string }>;
  close(): Promise<void>;
}

export async function startMuseum(port = 0): Promise<Museum> {
  const here = import.meta.dirname;
  const bundle = await build({
    entryPoints: [`${here}/app.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['landed-source'],
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const html = await readFile(`${here}/index.html`, 'utf8');
  const pairings: Museum['pairings'] = [];
  let outage = false;
  const store = sqliteStore({ path: ':memory:' });
  const core = createIdempotency({ store, scope: () => 'museum', faults: { enabled: true, exit: () => {} } });
  const pairingService = withIdempotency(core, ({ body, key }) => {
    if (outage) throw new Error('the pairing service is down');
    const { ticket, pen } = body as { ticket: string; pen: string };
    pairings.push({ ticket, pen, key: key ?? '' });
    return { status: 201, body: { paired: pen, ticket } };
  });

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/idempotency/'))
      return pairingService(req, res);
    if (url.pathname === '/demo' && req.method === 'POST') {
      const fault = url.searchParams.get('fault');
      if (fault) core.faults.next(fault as FaultKind);
      if (url.searchParams.has('outage')) outage = url.searchParams.get('outage') === 'on';
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/app.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (url.pathname === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pairings,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      core.close();
    },
  };
}

if (import.meta.main) {
  const museum = await startMuseum(Number(process.env.PORT ?? 8080));
  console.log(`Museum desk: ${museum.url}`);
}
