/**
 * A Sentry ingestion endpoint on loopback: accepts envelopes at `/api/<project>/envelope/` the way
 * sentry.io does (200 with an event id), keeps each request's URL, headers and raw text, and parses
 * the event items out of them.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface ReceivedEnvelope {
  url: string;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface SentryEvent {
  event_id?: string;
  message?: string;
  level?: string;
  environment?: string;
  tags?: Record<string, string>;
  contexts?: Record<string, Record<string, unknown>>;
  fingerprint?: string[];
  breadcrumbs?: Array<{ category?: string; message?: string; data?: Record<string, unknown> }>;
  request?: unknown;
}

export interface SentryIngest {
  /** A DSN pointing here. */
  readonly dsn: string;
  readonly envelopes: ReceivedEnvelope[];
  /** Requests to any other path (there should be none). */
  readonly strays: string[];
  events(): SentryEvent[];
  close(): Promise<void>;
}

export const PROJECT = '4242';
export const PUBLIC_KEY = 'c0ffee0000000000000000000000c0de';

export async function startSentryIngest(): Promise<SentryIngest> {
  const envelopes: ReceivedEnvelope[] = [];
  const strays: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method !== 'POST' || path !== `/api/${PROJECT}/envelope/`) {
        strays.push(`${req.method} ${req.url}`);
        res.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      envelopes.push({ url: req.url ?? '', headers: req.headers, text: body.toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"0"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    dsn: `http://${PUBLIC_KEY}@127.0.0.1:${port}/${PROJECT}`,
    envelopes,
    strays,
    events: () => envelopes.flatMap((e) => eventsIn(e.text)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Envelope: a header line, then (item header line, payload line) pairs. */
export function eventsIn(text: string): SentryEvent[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const events: SentryEvent[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    const header = JSON.parse(lines[i] as string) as { type?: string };
    if (header.type === 'event') events.push(JSON.parse(lines[i + 1] as string) as SentryEvent);
  }
  return events;
}
