import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { bundlePage } from './bundle.ts';

/**
 * One loopback origin per test: it serves the page (an esbuild bundle of a script in `../pages/`),
 * a write endpoint that follows the Landed protocol, and a Sentry ingestion endpoint that keeps every
 * envelope it receives. Same origin for all three, so the page needs no CORS.
 *
 * The write endpoint (`/api/...`): the key is echoed on every answer; the first request of a key
 * applies the write and stores the answer; a repeat replays it with `Idempotent-Replayed: true`; a
 * repeat while the first is still being handled gets 409. `mode` makes it misbehave the way a
 * network does after the server applied a write: `hold` never answers, `drop` destroys the socket.
 * `reject` refuses new keys with 400; `down` destroys every socket without applying (unreachable).
 */
export interface Applied {
  key: string;
  path: string;
  body: string;
}

export interface SeenWrite {
  key: string | undefined;
  path: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export type Mode = 'protocol' | 'hold' | 'drop' | 'reject' | 'down';

export interface AppServer {
  url: string;
  /** Every write applied, in order. A key twice here is a write applied twice. */
  applied: Applied[];
  /** Every write request received (all attempts). */
  seen: SeenWrite[];
  /** Every Sentry envelope received, as raw text. */
  envelopes: string[];
  /** How long the Sentry ingestion endpoint takes to answer (a remote Sentry's round trip). @default 0 */
  envelopeDelayMs: number;
  /** What the write endpoint does with the next requests. */
  mode: Mode;
  /** Forgets every stored key (a server past its retention window). */
  forget(): void;
  /** Resolves once `count` writes have been applied (or rejects after `timeoutMs`). */
  waitForApplied(count: number, timeoutMs?: number): Promise<void>;
  waitFor(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Ends every held connection. */
  dropHeld(): void;
  close(): Promise<void>;
}

const page = (title: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main id="app"></main><script type="module" src="/app.js"></script></body></html>`;

function unquote(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

export interface AppServerOptions {
  /** Handles `/api/...` writes instead of the built-in endpoint (e.g. the real `@landed/server`). */
  api?: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function startAppServer(
  pages: Record<string, string>,
  options: AppServerOptions = {},
): Promise<AppServer> {
  const stored = new Map<string, { status: number; body: string } | 'in-progress'>();
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();
  const state: AppServer = {
    url: '',
    applied: [],
    seen: [],
    envelopes: [],
    envelopeDelayMs: 0,
    mode: 'protocol',
    forget: () => stored.clear(),
    waitForApplied: (count, timeoutMs) =>
      state.waitFor(() => state.applied.length >= count, `${count} applied writes`, timeoutMs),
    async waitFor(check, what, timeoutMs = 40_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    dropHeld() {
      for (const res of held) res.socket?.destroy();
      held.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function write(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const key = unquote(req.headers['idempotency-key'] as string | undefined);
    const path = req.url ?? '';
    state.seen.push({ key, path, body, headers: req.headers });
    const headers = {
      'content-type': 'application/json',
      'idempotency-retention': '86400',
      ...(key === undefined ? {} : { 'idempotency-key': `"${key}"` }),
    };
    if (state.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (key === undefined) {
      res
        .writeHead(400, { 'content-type': 'application/problem+json' })
        .end('{"title":"Idempotency-Key is missing"}');
      return;
    }
    const found = stored.get(key);
    if (found === 'in-progress') {
      res.writeHead(409, headers).end('{"title":"a request with this key is in progress"}');
      return;
    }
    if (found) {
      res.writeHead(found.status, { ...headers, 'idempotent-replayed': 'true' }).end(found.body);
      return;
    }
    if (state.mode === 'reject') {
      const answer = { status: 400, body: '{"title":"these seats are no longer available"}' };
      stored.set(key, answer);
      res.writeHead(answer.status, headers).end(answer.body);
      return;
    }
    stored.set(key, 'in-progress');
    state.applied.push({ key, path, body });
    const answer = { status: 201, body: JSON.stringify({ ok: true, n: state.applied.length }) };
    stored.set(key, answer);
    if (state.mode === 'hold') {
      held.add(res);
      return;
    }
    if (state.mode === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, headers).end(answer.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.api && req.url?.startsWith('/api/orders')) return options.api(req, res);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && /^\/api\/\d+\/envelope\/?$/.test(url.pathname)) {
      state.envelopes.push(body);
      if (state.envelopeDelayMs > 0)
        await new Promise((resolve) => setTimeout(resolve, state.envelopeDelayMs));
      res
        .writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
        .end('{}');
      return;
    }
    if (url.pathname.startsWith('/api/') && req.method !== 'GET') return write(req, res, body);
    if (url.pathname === '/app.js') {
      const name = url.searchParams.get('page') ?? 'index';
      const entry = pages[name];
      if (!entry) return void res.writeHead(404).end();
      res
        .writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' })
        .end(await bundlePage(entry));
      return;
    }
    if (url.pathname === '/' || pages[url.pathname.slice(1)]) {
      const name = url.pathname === '/' ? 'index' : url.pathname.slice(1);
      res
        .writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' })
        .end(page(name).replace('/app.js', `/app.js?page=${encodeURIComponent(name)}`));
      return;
    }
    res.writeHead(404).end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
