import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real loopback HTTP server that follows the Landed protocol (store per key, echo, replay, 409 while
 * in progress, lookup route), with a per-request script so a test can make it misbehave exactly as a
 * network or a server would: drop the response after applying, answer nonsense, stall.
 */
export interface SeenRequest {
  method: string;
  path: string;
  key: string | undefined;
  rawKey: string | undefined;
  attempt: string | undefined;
  firstSent: string | undefined;
  authorization: string | undefined;
  body: string;
}

export type Action =
  /** Follow the protocol. */
  | { kind: 'protocol' }
  /** Answer this exactly (the write is not applied). */
  | { kind: 'reply'; status: number; headers?: Record<string, string>; body?: string }
  /** Apply the write, then answer this instead of the protocol answer. */
  | { kind: 'apply-then-reply'; status: number; headers?: Record<string, string>; body?: string }
  /** Close the connection without applying. */
  | { kind: 'reset' }
  /** Apply, then close the connection without an answer (the "looks failed but succeeded" case). */
  | { kind: 'apply-then-reset' }
  /** Apply, send headers and half a body, then close. */
  | { kind: 'apply-then-truncate' }
  /** Apply, send headers and half a body, then fall silent (the connection stays open). */
  | { kind: 'apply-then-stall' }
  /** Never answer (until the server closes). */
  | { kind: 'hang' };

export interface ProtocolServer {
  url: string;
  requests: SeenRequest[];
  /** Every applied write, in order: (key, body). A key twice here is a duplicate. */
  applied: Array<{ key: string; body: string }>;
  script: (request: SeenRequest, index: number) => Action;
  retentionSec: number;
  /** Forget keys (as a server past its retention would). */
  forget(): void;
  close(): Promise<void>;
}

function unquote(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

export async function startProtocolServer(options: { lookup?: boolean } = {}): Promise<ProtocolServer> {
  const stored = new Map<string, { status: number; body: string }>();
  const sockets = new Set<import('node:net').Socket>();
  const state: ProtocolServer = {
    url: '',
    requests: [],
    applied: [],
    script: () => ({ kind: 'protocol' }),
    retentionSec: 86_400,
    forget: () => stored.clear(),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  /** Applies a write once per key, as a server keeping the protocol does; a known key only replays. */
  const apply = (seen: SeenRequest) => {
    const key = seen.key ?? '';
    const known = stored.get(key);
    if (known) return known.body;
    state.applied.push({ key, body: seen.body });
    const body = JSON.stringify({ ok: true, n: state.applied.length });
    stored.set(key, { status: 201, body });
    return body;
  };
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawKey = req.headers['idempotency-key'] as string | undefined;
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      key: unquote(rawKey),
      rawKey,
      attempt: req.headers['landed-attempt'] as string | undefined,
      firstSent: req.headers['landed-first-sent'] as string | undefined,
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const common = (key: string | undefined) => ({
      'content-type': 'application/json',
      'idempotency-retention': String(state.retentionSec),
      ...(key === undefined ? {} : { 'idempotency-key': `"${key}"` }),
    });
    if (options.lookup !== false && req.method === 'GET' && seen.path.startsWith('/idempotency/')) {
      const key = decodeURIComponent(seen.path.slice('/idempotency/'.length));
      state.requests.push({ ...seen, key });
      const found = stored.get(key);
      if (!found) {
        res
          .writeHead(404, { ...common(key), 'content-type': 'application/problem+json' })
          .end('{"title":"never seen"}');
        return;
      }
      res
        .writeHead(200, common(key))
        .end(JSON.stringify({ key, status: found.status, body: JSON.parse(found.body), replayed: true }));
      return;
    }
    const index = state.requests.push(seen) - 1;
    const action = state.script(seen, index);
    switch (action.kind) {
      case 'reply':
        res.writeHead(action.status, action.headers ?? common(seen.key)).end(action.body ?? '');
        return;
      case 'apply-then-reply':
        apply(seen);
        res.writeHead(action.status, action.headers ?? common(seen.key)).end(action.body ?? '');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'apply-then-reset':
        apply(seen);
        req.socket.destroy();
        return;
      case 'apply-then-truncate': {
        const body = apply(seen);
        res.writeHead(201, { ...common(seen.key), 'content-length': String(body.length + 50) });
        res.write(body.slice(0, 3));
        setTimeout(() => req.socket.destroy(), 5);
        return;
      }
      case 'apply-then-stall': {
        const body = apply(seen);
        res.writeHead(201, { ...common(seen.key), 'content-length': String(body.length) });
        res.write(body.slice(0, 3));
        return;
      }
      case 'hang':
        return;
      case 'protocol': {
        if (seen.key === undefined) {
          res.writeHead(400, { 'content-type': 'application/problem+json' }).end('{"title":"missing key"}');
          return;
        }
        const found = stored.get(seen.key);
        if (found) {
          res.writeHead(found.status, { ...common(seen.key), 'idempotent-replayed': 'true' }).end(found.body);
          return;
        }
        const body = apply(seen);
        res.writeHead(201, common(seen.key)).end(body);
      }
    }
  };
  const server: Server = createServer((req, res) => {
    handler(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
