/**
 * A real loopback app for the rule tests: one write route (`POST /orders`, and any other path) through
 * the chosen adapter and store. The body steers the handler: `{ item, mode }` with mode `throw`, `503`,
 * `400` or `gate` (wait until the test opens the gate).
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { withIdempotency } from '../../src/adapter/node-http/index.ts';
import {
  createIdempotency,
  type Idempotency,
  type IdempotencyOptions,
  type IdempotentRequest,
} from '../../src/index.ts';
import { type Business, openBusiness, type StoreKind } from './business.ts';
import { startFramework } from './frameworks.ts';

export type AdapterKind = 'node-http' | 'express' | 'fastify' | 'hono';

export interface TestApp {
  url: string;
  business: Business;
  core: Idempotency<unknown>;
  clock: { now: number; advance(ms: number): void };
  /** Resolves the handlers waiting in mode `gate`. */
  openGate(): void;
  /** Resolves once a handler reached the gate. */
  atGate: Promise<void>;
  /** Handler runs so far (committed or not). */
  runs: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export type AppOptions = Partial<Omit<IdempotencyOptions<unknown>, 'store'>>;

/** `Authorization: Bearer <principal>` is the scope; anonymous requests share "anonymous". */
export function scopeFromAuth(request: IdempotentRequest): string {
  const header =
    request.headers instanceof Headers ? request.headers.get('authorization') : request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  return value?.startsWith('Bearer ') ? value.slice(7) : 'anonymous';
}

export interface OrderBody {
  item?: string;
  mode?: 'throw' | '503' | '400' | 'gate';
}

export interface AppHooks {
  gate: () => Promise<void>;
  reached: () => void;
  ran: () => void;
}

/** The business logic, shared by every adapter: validate, insert in `tx`, answer 201 with a Location. */
export async function placeOrder(
  business: Business,
  hooks: AppHooks,
  tx: unknown,
  scope: string,
  key: string | undefined,
  body: unknown,
) {
  hooks.ran();
  const order = (body ?? {}) as OrderBody;
  if (order.mode === 'gate') {
    hooks.reached();
    await hooks.gate();
  }
  if (order.mode === 'throw') throw new Error('the handler failed on purpose');
  if (order.mode === '400' || typeof order.item !== 'string') {
    return {
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: { error: 'item is required' },
    };
  }
  const id = await business.insert(tx, scope, key, order.item);
  if (order.mode === '503') return { status: 503, body: { error: 'try later' } };
  return { status: 201, headers: { location: `/orders/${id}` }, body: { id, item: order.item, scope } };
}

export async function startApp(
  adapter: AdapterKind,
  storeKind: StoreKind,
  options: AppOptions = {},
): Promise<TestApp> {
  const business = await openBusiness(storeKind);
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached!: () => void;
  const atGate = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const app = { runs: 0 };
  const hooks: AppHooks = { gate: () => gate, reached, ran: () => void app.runs++ };
  const coreOptions: IdempotencyOptions<unknown> = {
    store: business.store,
    scope: scopeFromAuth,
    now: () => clock.now,
    reapIntervalMs: 0,
    onError: (error) => {
      // Handler failures on purpose (mode throw) are expected; anything else is worth seeing.
      if (!String(error).includes('on purpose')) console.error('[test app]', error);
    },
    ...options,
  };
  const core = createIdempotency(coreOptions);
  let server: Server;
  if (adapter === 'node-http') {
    server = createServer(
      withIdempotency(core, ({ tx, scope, key, body }) => placeOrder(business, hooks, tx, scope, key, body), {
        ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  } else {
    server = await startFramework(adapter, coreOptions, core, business, hooks);
  }
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    release();
    core.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await business.close();
  };
  return Object.assign(app, {
    url: `http://127.0.0.1:${port}`,
    business,
    core,
    clock,
    openGate: release,
    atGate,
    close,
    [Symbol.asyncDispose]: close,
  }) as TestApp;
}

export interface Sent {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

/** One request with fetch. `key` undefined sends none; `keyHeader` sends the raw header value. */
export async function send(
  url: string,
  init: {
    key?: string;
    keyHeader?: string;
    body?: unknown;
    rawBody?: string;
    principal?: string;
    method?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Sent> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.keyHeader !== undefined) headers['idempotency-key'] = init.keyHeader;
  else if (init.key !== undefined) headers['idempotency-key'] = `"${init.key}"`;
  if (init.principal) headers.authorization = `Bearer ${init.principal}`;
  const method = init.method ?? 'POST';
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined || method === 'GET' ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

/** Writes `request` as bytes on a fresh socket and resolves with everything the server answered. */
export function rawRequest(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}
