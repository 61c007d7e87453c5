// The service-worker example: `node_modules/.bin/node --conditions=landed-source
// docs/examples/service-worker/server.ts` from the repository root, then open the printed URL. The
// pairing service is @landed/server on node:http with its SQLite store; it serves the page (/app.js)
// and the worker (/sw.js), each an esbuild bundle.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdempotency } from '@landed/server';
import { withIdempotency } from '@landed/server/node-http';
import { sqliteStore } from '@landed/server/sqlite';
import { build } from 'esbuild';

export interface Desk {
  url: string;
  /** Every pairing the service applied, in order (a key twice here would be a double pairing). */
  pairings: Array<{ ticket: string; pen: string; key: string }>;
  close(): Promise<void>;
}

const bundle = async (entry: string) => {
  const built = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['landed-source'],
  });
  return built.outputFiles[0]?.text ?? '';
};

export async function startDesk(port = 0): Promise<Desk> {
  const here = import.meta.dirname;
  const [page, worker, html] = await Promise.all([
    bundle(`${here}/app.ts`),
    bundle(`${here}/sw.ts`),
    readFile(`${here}/index.html`, 'utf8'),
  ]);
  const pairings: Desk['pairings'] = [];
  const core = createIdempotency({ store: sqliteStore({ path: ':memory:' }), scope: () => 'museum' });
  const pairingService = withIdempotency(core, ({ body, key }) => {
    const { ticket, pen } = body as { ticket: string; pen: string };
    pairings.push({ ticket, pen, key: key ?? '' });
    return { status: 201, body: { paired: pen, ticket } };
  });
  const js = { 'content-type': 'text/javascript', 'cache-control': 'no-cache' };
  const server: Server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname.startsWith('/api/') || pathname.startsWith('/idempotency/')) return pairingService(req, res);
    if (pathname === '/app.js') return void res.writeHead(200, js).end(page);
    if (pathname === '/sw.js') return void res.writeHead(200, js).end(worker);
    if (pathname === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    res.writeHead(404).end();
  });
  // Service workers need a secure context: https, or a loopback address such as 127.0.0.1.
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
  const desk = await startDesk(Number(process.env.PORT ?? 8080));
  console.log(`Museum desk with a service worker: ${desk.url}`);
}
