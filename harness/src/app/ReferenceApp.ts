/**
 * The reference app: the museum write API behind @landed/server's idempotency middleware. Requests
 * with an `Idempotency-Key` go through the middleware (one request, one transaction); requests without
 * one — the naive client's — take a plain route that does the same insert, which is what a server
 * without idempotency does. `/_chaos/*` is the harness's control surface, reached directly (never
 * through a proxy) and only when fault hooks are enabled.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createIdempotency, type Handler, HEADER_FAULT, HEADER_KEY } from '@landed/server';
import { withIdempotency } from '@landed/server/node-http';
import type { AppDatabase } from './database.ts';
import { type FaultSetting, FaultSwitch, parseFaultSetting } from './fault-switch.ts';
import { isMuseumWrite, opOf, principalFrom } from './museum.ts';

export interface ReferenceAppOptions {
  database: AppDatabase;
  /** Test-only fault hooks (server and plain route). */
  faultsEnabled: boolean;
  initialFault?: FaultSetting | undefined;
  /** Seconds a stored response is replayed (published in `Idempotency-Retention`). @default 86400 */
  retentionSec?: number;
  /** Called by `exit-after-commit` once the row is committed. @default process.exit */
  exit?: (code: number) => void;
  /** Serves `GET /_chaos/ledger` (the contract a `--target` server offers the harness). */
  readLedger?: () => Promise<unknown[]>;
}

export interface ReferenceApp {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  readonly faults: FaultSwitch;
}

export function createReferenceApp({
  database,
  faultsEnabled,
  initialFault,
  retentionSec = 86_400,
  exit = (code) => process.exit(code),
  readLedger,
}: ReferenceAppOptions): ReferenceApp {
  const faults = new FaultSwitch(faultsEnabled ? initialFault : undefined);
  const core = createIdempotency({
    store: database.store,
    scope: (request) => principalFrom(header(request.headers, 'authorization')),
    retentionSec,
    // The app runs one request at a time per key; a crashed request's lock is taken over quickly so
    // crash-after-commit scenarios heal within the run.
    lockTimeoutMs: 2_000,
    faults: { enabled: faultsEnabled, exit },
  });

  // Keyed writes between claim and commit: a fleet's instance-kill waits for one before the SIGKILL.
  let inHandler = 0;
  const write: Handler<unknown> = async (input) => {
    inHandler++;
    try {
      return await applyWrite(input);
    } finally {
      inHandler--;
    }
  };
  const applyWrite: Handler<unknown> = async ({ tx, key, scope, request, body }) => {
    const op = opOf(request.path);
    if (!op) return { status: 404, body: { code: 'not-found', detail: `No write route ${request.path}.` } };
    if (!isMuseumWrite(body))
      return {
        status: 400,
        body: { code: 'bad-body', detail: 'A museum write needs string fields writeId and visitor.' },
      };
    const receipt = await database.insert(tx, {
      writeId: body.writeId,
      key: key ?? null,
      op,
      payload: JSON.stringify(body),
      principal: scope,
      at: Date.now(),
    });
    return {
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: { receipt, writeId: body.writeId, op },
    };
  };
  const keyed = withIdempotency(core, write);

  async function plain(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const op = opOf(req.url ?? '/');
    const text = await readText(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return json(res, 400, { code: 'body-not-json' });
    }
    if (!op) return json(res, 404, { code: 'not-found' });
    if (!isMuseumWrite(body)) return json(res, 400, { code: 'bad-body' });
    const fault = faults.draw();
    if (fault?.startsWith('slow:')) await sleep(Number(fault.slice(5)));
    if (fault === '500-before-commit') return json(res, 500, { code: 'fault-injected' });
    const principal = principalFrom(req.headers.authorization);
    const receipt = await database.store.transaction((tx) =>
      database.insert(tx, {
        writeId: body.writeId,
        key: null,
        op,
        payload: JSON.stringify(body),
        principal,
        at: Date.now(),
      }),
    );
    if (fault === 'exit-after-commit') {
      exit(137);
      res.destroy();
      return;
    }
    if (fault === '500-after-commit') return json(res, 500, { code: 'fault-injected' });
    json(res, 201, { receipt, writeId: body.writeId, op });
  }

  async function control(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url === '/_chaos/health')
      return json(res, 200, { ok: true, fault: faults.current ?? null, inHandler });
    if (req.url === '/_chaos/ledger' && readLedger) return json(res, 200, { rows: await readLedger() });
    if (!faultsEnabled)
      return json(res, 403, {
        code: 'faults-disabled',
        detail: 'Start the app with LANDED_FAULTS=1 to control faults.',
      });
    if (req.method === 'PUT' && req.url === '/_chaos/fault') {
      const { fault } = JSON.parse(await readText(req)) as { fault: string | null };
      const setting = fault === null ? undefined : parseFaultSetting(fault);
      if (fault !== null && !setting)
        return json(res, 400, { code: 'bad-fault', detail: `Unknown fault "${fault}" (kind@rate).` });
      faults.set(setting);
      return json(res, 200, { fault: faults.current ?? null });
    }
    json(res, 404, { code: 'not-found' });
  }

  function listener(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    let work: Promise<void> | void;
    if (url.startsWith('/_chaos/')) work = control(req, res);
    else if (req.headers[HEADER_KEY.toLowerCase()] === undefined && req.method !== 'GET')
      work = plain(req, res);
    else {
      const fault = req.method === 'GET' ? undefined : faults.draw();
      if (fault) req.headers[HEADER_FAULT.toLowerCase()] = fault;
      else delete req.headers[HEADER_FAULT.toLowerCase()];
      work = keyed(req, res);
    }
    void Promise.resolve(work).catch(() => {
      if (!res.headersSent)
        json(res, 503, { code: 'unavailable', detail: 'The write failed and nothing was committed.' });
      else res.destroy();
    });
  }

  return { listener, faults };
}

function header(headers: unknown, name: string): string | undefined {
  if (headers && typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
