/**
 * The web origin browser clients load their page from: a loopback server that serves each page (an
 * esbuild bundle, as an app's bundler would make it) and forwards `/api/*` to the scenario's proxy.
 * The page then writes to its own origin — no CORS, no preflight — while every byte of a write still
 * crosses Toxiproxy on its way to the reference app. The forwarder passes failures on as they came:
 * an upstream reset or refusal destroys the browser's socket, a truncated answer is truncated for the
 * browser too, a held answer is held.
 */
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface PageEntry {
  /** The script the page runs (a TypeScript file, bundled for the browser). */
  script: string;
  /** A service worker script served at `/<name>.sw.js`, scope `/`. */
  serviceWorker?: string;
}

const bundles = new Map<string, Promise<string>>();

/** Bundles a page or worker script for Chromium (cached for the process). */
export function bundle(entry: string): Promise<string> {
  let text = bundles.get(entry);
  if (!text) {
    text = import('esbuild').then(async ({ build }) => {
      const result = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'chrome120',
        conditions: ['landed-source'],
        define: { 'process.env.NODE_ENV': '"production"' },
        logLevel: 'silent',
      });
      return result.outputFiles[0]?.text ?? '';
    });
    bundles.set(entry, text);
  }
  return text;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host']);

export class PageOrigin {
  readonly url: string;
  readonly #server: ReturnType<typeof createServer>;
  readonly #sockets = new Set<Socket>();
  readonly #agent = new Agent({ keepAlive: true });

  private constructor(server: ReturnType<typeof createServer>, url: string) {
    this.#server = server;
    this.url = url;
  }

  /** Serves `pages` (by name: `/<name>.html`) and forwards `/api/*` to `upstream` (the proxy's URL). */
  static async open(pages: Record<string, PageEntry>, upstream: string): Promise<PageOrigin> {
    const target = new URL(upstream);
    let origin!: PageOrigin;
    const server = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path.startsWith('/api/')) return origin.#forward(req, res, target, path.slice(4));
      void serve(pages, path, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = new PageOrigin(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (socket) => {
      origin.#sockets.add(socket);
      socket.on('close', () => origin.#sockets.delete(socket));
    });
    return origin;
  }

  #forward(req: IncomingMessage, res: ServerResponse, target: URL, path: string): void {
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const upstream = request(
      { agent: this.#agent, hostname: target.hostname, port: target.port, method: req.method, path, headers },
      (incoming) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(incoming.headers))
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(incoming.statusCode ?? 502, out);
        incoming.on('data', (chunk: Buffer) => res.write(chunk));
        incoming.on('end', () => (incoming.complete ? res.end() : res.destroy()));
        incoming.on('aborted', () => res.destroy());
        incoming.on('error', () => res.destroy());
      },
    );
    // No answer from upstream (refused, reset, closed): the browser meets the same broken socket.
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#agent.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

const html = (name: string, script: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name}</title></head><body><script type="module" src="${script}"></script></body></html>`;

async function serve(pages: Record<string, PageEntry>, path: string, res: ServerResponse): Promise<void> {
  const pathname = new URL(path, 'http://origin').pathname;
  const match = /^\/([a-z0-9-]+)\.(html|js|sw\.js)$/.exec(pathname);
  const page = match ? pages[match[1] as string] : undefined;
  if (!match || !page) return void res.writeHead(404).end();
  const [, name, what] = match as unknown as [string, string, string];
  if (what === 'html')
    return void res
      .writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' })
      .end(html(name, `/${name}.js`));
  const entry = what === 'js' ? page.script : page.serviceWorker;
  if (!entry) return void res.writeHead(404).end();
  res
    .writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' })
    .end(await bundle(entry));
}
