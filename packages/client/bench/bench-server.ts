import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The loopback server both sides of a client benchmark talk to: it echoes the key and answers 201, as a
 * Landed server would, and does the same work for a request without a key (the ky baseline).
 */
export async function startBenchServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'idempotency-retention': '86400',
      };
      if (typeof key === 'string') headers['idempotency-key'] = key;
      res.writeHead(201, headers).end(`{"ok":true,"bytes":${Buffer.concat(chunks).length}}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
