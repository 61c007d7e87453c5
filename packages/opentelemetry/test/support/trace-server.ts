import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request: answer (echoing the key), or drop the connection. */
export type Reply = { status: number; replayed?: boolean } | 'reset';

export interface SeenRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The W3C trace context the request carried, parsed (`traceparent: 00-<trace>-<parent>-<flags>`). */
  trace: { traceId: string; parentId: string; flags: string } | undefined;
}

export interface TraceServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A real loopback server that reads `traceparent` as a traced server would (its own span joins the
 * trace as a child of the span the header names) and answers the n-th request with `replies[n]`,
 * 201 past the end; its lookup route (`GET /idempotency/{key}`) says every key was applied.
 */
export async function startTraceServer(replies: Reply[]): Promise<TraceServer> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const header = req.headers.traceparent;
      const match =
        typeof header === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header) : null;
      const index =
        requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          trace: match
            ? { traceId: match[1] ?? '', parentId: match[2] ?? '', flags: match[3] ?? '' }
            : undefined,
        }) - 1;
      if (req.method === 'GET' && req.url?.startsWith('/idempotency/')) {
        // The lookup route of a server that applied the write: its stored answer, with our key.
        const key = decodeURIComponent(req.url.slice('/idempotency/'.length));
        res.writeHead(200, { 'content-type': 'application/json', 'idempotency-key': `"${key}"` });
        res.end(JSON.stringify({ key, status: 201, body: { ok: true } }));
        return;
      }
      const reply = replies[index] ?? { status: 201 };
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        'idempotency-key': String(req.headers['idempotency-key']),
        ...(reply.replayed ? { 'idempotent-replayed': 'true' } : {}),
      });
      res.end(JSON.stringify({ ok: reply.status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
